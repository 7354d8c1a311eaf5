import mqtt, { type MqttClient } from 'mqtt';

/**
 * The ingest bench's publisher (a process of its own, started by test/bench/ingest.ts): one
 * MQTT connection per device, as speakers connect, each publishing its share of the stream
 * at QoS 1 — three heartbeats to one presence report, as the old vitest bench did — with a
 * few messages in flight per device. It answers over IPC:
 *   ← { connect: { url, username, password, associationId, deviceIds } }  → { connected }
 *   ← { run: { messages, bootId } }  → { published: { ms } } once the broker acknowledged every one
 */

/** perDeviceLogin: each device logs in as itself (tonari's embedded broker); else all share `username`. */
type Connect = { url: string; username: string; password: string; perDeviceLogin?: boolean; associationId: string; deviceIds: string[] };
const WINDOW = 8; // QoS 1 publishes in flight per device

let clients: MqttClient[] = [];
let setup: Connect;

function send(message: unknown) {
  process.send!(message);
}

async function connect(options: Connect) {
  setup = options;
  for (let i = 0; i < options.deviceIds.length; i += 50) {
    const batch = options.deviceIds.slice(i, i + 50);
    clients.push(
      ...(await Promise.all(
        batch.map((id) => mqtt.connectAsync(options.url, { username: options.perDeviceLogin ? id : options.username, password: options.password, clientId: id, clean: true, protocolVersion: 4, reconnectPeriod: 0 })),
      )),
    );
  }
}

/** Publishes `perDevice` messages on one connection, WINDOW in flight, in seq order. */
function stream(client: MqttClient, deviceId: string, perDevice: number, bootId: string): Promise<void> {
  const prefix = `tonari/${setup.associationId}/${deviceId}/up/`;
  return new Promise((resolve, reject) => {
    let next = 1;
    let acked = 0;
    const one = () => {
      if (next > perDevice) return;
      const seq = next++;
      const ts = new Date().toISOString();
      const heartbeat = seq % 4 !== 0;
      const payload = heartbeat
        ? `{"bootId":"${bootId}","seq":${seq},"ts":"${ts}","uptimeSeconds":${seq},"power":"mains","battery":null,"signal":-55,"firmware":"bench"}`
        : `{"bootId":"${bootId}","seq":${seq},"ts":"${ts}","type":"presence","count":2}`;
      client.publish(prefix + (heartbeat ? 'heartbeat' : 'activity'), payload, { qos: 1 }, (error) => {
        if (error) return reject(error);
        if (++acked === perDevice) return resolve();
        one();
      });
    };
    for (let i = 0; i < WINDOW; i++) one();
  });
}

process.on('message', (message: { connect?: Connect; run?: { messages: number; bootId: string } }) => {
  if (message.connect) {
    connect(message.connect).then(
      () => send({ connected: clients.length }),
      (error: Error) => send({ error: error.message }),
    );
  }
  if (message.run) {
    const { messages, bootId } = message.run;
    const perDevice = Math.ceil(messages / clients.length);
    const started = performance.now();
    Promise.all(clients.map((client, i) => stream(client, setup.deviceIds[i]!, perDevice, bootId))).then(
      () => send({ published: { ms: performance.now() - started, messages: perDevice * clients.length } }),
      (error: Error) => send({ error: error.message }),
    );
  }
});
process.on('disconnect', () => {
  for (const client of clients) client.end(true);
  clients = [];
  process.exit(0);
});

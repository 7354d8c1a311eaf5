import mqtt from 'mqtt';

/**
 * The ingest bench's anchor (a process of its own): a bare MQTT subscriber on the same broker,
 * with tonari's subscription (every uplink, QoS 1, MQTT 5 with tonari's receive maximum),
 * counting the stream and acknowledging each message at once. It answers over IPC:
 *   ← { start: { url, username, password, expect } }  → { subscribed }, then { counted: n } when n ≥ expect
 */

type Start = { url: string; username: string; password: string; expect: number; receiveMaximum: number };

process.on('message', (message: { start?: Start }) => {
  const start = message.start;
  if (!start) return;
  const client = mqtt.connect(start.url, {
    username: start.username,
    password: start.password,
    clientId: `bench-subscriber-${process.pid}`,
    clean: true,
    protocolVersion: 5,
    properties: { receiveMaximum: start.receiveMaximum },
    reconnectPeriod: 0,
  });
  let count = 0;
  client.on('message', () => {
    if (++count === start.expect) process.send!({ counted: count });
  });
  client.on('error', (error) => process.send!({ error: error.message }));
  client.once('connect', () => {
    client.subscribe('tonari/+/+/up/#', { qos: 1 }, (error, granted) => {
      if (error || !granted?.every((g) => g.qos < 0x80)) process.send!({ error: error?.message ?? `subscription refused: ${JSON.stringify(granted)}` });
      else process.send!({ subscribed: true });
    });
  });
});
process.on('disconnect', () => process.exit(0));

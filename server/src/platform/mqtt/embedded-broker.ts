import { createServer, type Server } from 'node:net';
import { Aedes, type Client } from 'aedes';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { MAX_PACKET_BYTES, MAX_PAYLOAD_BYTES, parseTopic, topics } from '../../../../devices/src/protocol.js';
import type { MqttTransport, Outcome, Uplink } from './mqtt-transport.js';
import { createFrameGuard } from './mqtt-frame-guard.js';

/** A connecting device's login, checked by whoever keeps the credentials: its identity, or null to refuse it. */
export type AuthenticateDevice = (username: string, password: string) => Promise<{ deviceId: string; associationId: string } | null>;

const identity = Symbol('tonari device identity');
type DeviceClient = Client & { [identity]?: { deviceId: string; associationId: string } };

/** Aedes's return codes for CONNACK. */
const IDENTIFIER_REJECTED = 2;
const BAD_USERNAME_OR_PASSWORD = 4;

/**
 * An Aedes broker inside the server, for the embedded default. Its hooks are the one place
 * device access is decided: a device logs in with its id and secret, publishes only under
 * its own `up/` and subscribes only to its own `down/`.
 */
export class EmbeddedBroker implements MqttTransport {
  private server?: Server;
  private aedes?: Aedes;
  private readonly clients = new Map<string, DeviceClient>();
  port = 0;

  constructor(private readonly deps: { authenticate: AuthenticateDevice; log: Logger; metrics: Metrics; port: number; host?: string }) {}

  async start(onUplink: (uplink: Uplink) => Promise<Outcome>): Promise<void> {
    const { authenticate, log, metrics } = this.deps;
    const aedes = await Aedes.createBroker({
      authenticate: (client: DeviceClient, username, password, done) => {
        // Aedes closes an existing session with the same client id once this hook says yes,
        // so a device that could pick any client id could knock any other device offline.
        // The client id must be the device's own id (its username), as in Mosquitto, where
        // each device's dynsec client is bound to that client id.
        if (!username || client.id !== username) {
          metrics.brokerAuthFailures.inc({ reason: 'foreign_client_id' });
          log.warn({ username, clientId: client.id }, 'device connection refused: client id is not the device id');
          return done(Object.assign(new Error('client id must be the device id'), { returnCode: IDENTIFIER_REJECTED }), false);
        }
        authenticate(username, password?.toString('utf8') ?? '')
          .then((device) => {
            if (!device) {
              metrics.brokerAuthFailures.inc({ reason: 'bad_credentials' });
              log.warn({ username, clientId: client.id }, 'device connection refused');
              return done(Object.assign(new Error('bad username or password'), { returnCode: BAD_USERNAME_OR_PASSWORD }), false);
            }
            client[identity] = device;
            done(null, true);
          })
          .catch((error: unknown) => {
            log.error({ err: error }, 'device authentication failed');
            done(Object.assign(new Error('server unavailable'), { returnCode: 3 }), false);
          });
      },
      authorizePublish: (client: DeviceClient | null, packet, callback) => {
        if (!client) return callback(null); // the server's own publishes
        const device = client[identity];
        const topic = parseTopic(packet.topic);
        const own = device && topic && topic.direction === 'up' && topic.deviceId === device.deviceId && topic.associationId === device.associationId;
        if (!own) {
          metrics.brokerAuthFailures.inc({ reason: 'foreign_topic' });
          log.warn({ deviceId: device?.deviceId, topic: packet.topic }, 'device publish to a topic not its own refused');
          return callback(new Error('not authorized'));
        }
        if (packet.payload.length > MAX_PAYLOAD_BYTES) {
          metrics.mqttRejections.inc({ reason: 'oversize' });
          return callback(new Error('payload too large'));
        }
        // Aedes writes a QoS 1 PUBACK right after this callback, so ingest happens here and
        // the callback waits for the message's batch to commit: a device's message is
        // acknowledged only once it is stored. Aedes reads no further packets of this
        // connection meanwhile (TCP backpressure), so a slow or absent database holds the
        // backlog in the devices, not in this process. A device's last will comes this way too.
        onUplink({ deviceId: device.deviceId, associationId: device.associationId, kind: topic.kind, payload: Buffer.from(packet.payload) }).then(
          () => callback(null),
          // Not stored: no PUBACK; the error closes the connection and the device sends it again.
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
      },
      authorizeSubscribe: (client: DeviceClient, subscription, callback) => {
        const device = client[identity];
        // Its own downlinks only: `…/down/#` or one `…/down/{kind}`, no wildcard reaching wider.
        const ownDown = device ? `${topics.prefix(device.associationId, device.deviceId)}/down/` : null;
        const rest = ownDown && subscription.topic.startsWith(ownDown) ? subscription.topic.slice(ownDown.length) : null;
        const allowed = rest === '#' || (!!rest && /^[a-z-]+$/.test(rest));
        if (!allowed) {
          metrics.brokerAuthFailures.inc({ reason: 'foreign_subscription' });
          log.warn({ deviceId: device?.deviceId, topic: subscription.topic }, 'device subscription not its own refused');
          return callback(new Error('not authorized'));
        }
        callback(null, subscription);
      },
    });
    aedes.on('client', (client: DeviceClient) => {
      const device = client[identity];
      if (!device) return;
      // One connection per device: a reconnect replaces the old one.
      const previous = this.clients.get(device.deviceId);
      this.clients.set(device.deviceId, client);
      if (previous && previous !== client) previous.close();
    });
    aedes.on('clientDisconnect', (client: DeviceClient) => {
      const device = client[identity];
      if (device && this.clients.get(device.deviceId) === client) this.clients.delete(device.deviceId);
    });
    this.aedes = aedes;
    this.server = createServer((socket) => {
      aedes.handle(socket);
      // Watches each packet's declared length as Aedes reads it (a 'data' listener beside
      // Aedes's 'readable' one only observes what read() returns), so an oversize packet
      // ends the connection after one chunk, before login as after.
      const guard = createFrameGuard({ maxPacketBytes: MAX_PACKET_BYTES }, (reason, declared) => {
        metrics.mqttRejections.inc({ reason: reason === 'oversize' ? 'oversize_packet' : reason });
        log.warn({ remoteAddress: socket.remoteAddress, reason, declared }, 'MQTT connection closed: packet refused before parsing');
        socket.destroy();
      });
      socket.on('data', guard);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.deps.port, this.deps.host ?? '0.0.0.0', () => resolve());
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : this.deps.port;
  }

  publish(topic: string, payload: object): Promise<void> {
    return new Promise((resolve, reject) =>
      this.aedes!.publish(
        { cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(payload)), qos: 1, retain: false, dup: false },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }

  disconnectDevice(deviceId: string): void {
    this.clients.get(deviceId)?.close();
    this.clients.delete(deviceId);
  }

  healthy(): boolean {
    return !!this.server?.listening && !this.aedes?.closed;
  }

  /** Uplinks come straight from the broker's hooks: there is no subscription to lose. */
  subscribed(): boolean {
    return this.healthy();
  }

  async close(): Promise<void> {
    for (const client of this.clients.values()) client.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.aedes ? this.aedes.close(() => resolve()) : resolve()));
  }
}

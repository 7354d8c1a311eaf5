import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../infra/logger.js';
import { parseTopic, topics } from '../../../devices/src/protocol.js';
import type { MqttTransport } from './mqtt-transport.js';
import type { Uplink } from './device-ingest.service.js';

/**
 * The server as a client of an external broker (Mosquitto at MQTT_URL). It keeps a
 * persistent session (clean: false, a stable client id per instance) so QoS 1 uplinks
 * published while it restarts are delivered when it is back, and subscribes through a
 * shared subscription so several instances split the devices between them. The broker
 * enforces device topics (dynamic security or ACL file), so the topic names the device.
 */
export class MqttClientTransport implements MqttTransport {
  client?: MqttClient;

  constructor(
    private readonly deps: {
      url: string;
      shareGroup: string;
      clientId: string;
      log: Logger;
      /** Runs once connected, before subscribing: e.g. granting the server its ACLs in dynamic security. */
      beforeSubscribe?: (client: MqttClient) => Promise<void>;
    },
  ) {}

  async start(onUplink: (uplink: Uplink) => Promise<unknown>): Promise<void> {
    const client = await mqtt.connectAsync(this.deps.url, {
      clientId: this.deps.clientId,
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 3600 },
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
    });
    this.client = client;
    client.on('error', (error) => this.deps.log.error({ err: error }, 'mqtt client error'));
    client.on('message', (topic, payload) => {
      const parsed = parseTopic(topic);
      if (!parsed || parsed.direction !== 'up') return;
      void onUplink({ deviceId: parsed.deviceId, associationId: parsed.associationId, kind: parsed.kind, payload });
    });
    await this.deps.beforeSubscribe?.(client);
    await client.subscribeAsync(`$share/${this.deps.shareGroup}/${topics.allUplinks}`, { qos: 1 });
  }

  async publish(topic: string, payload: object): Promise<void> {
    await this.client!.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
  }

  /** The broker cuts the device off when its credentials are revoked or rotated (dynamic security). */
  disconnectDevice(): void {}

  healthy(): boolean {
    return !!this.client?.connected;
  }

  async close(): Promise<void> {
    await this.client?.endAsync();
  }
}

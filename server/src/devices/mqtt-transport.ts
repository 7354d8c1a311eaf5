import type { Uplink } from './device-ingest.service.js';

/**
 * The server's side of MQTT, the same whether tonari embeds its broker or connects to
 * Mosquitto: uplinks come in, downlinks go out, a device can be cut off.
 */
export interface MqttTransport {
  start(onUplink: (uplink: Uplink) => Promise<unknown>): Promise<void>;
  publish(topic: string, payload: object): Promise<void>;
  disconnectDevice(deviceId: string): void;
  healthy(): boolean;
  close(): Promise<void>;
}

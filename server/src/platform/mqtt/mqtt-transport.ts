/** One device uplink as a transport hands it over. */
export interface Uplink {
  /** From the authenticated connection (embedded broker) or the broker-enforced topic (Mosquitto). */
  deviceId: string;
  associationId: string;
  kind: string;
  payload: Buffer;
}

/** What became of an uplink: stored, a repeat of one stored, or refused for good. */
export type Outcome = 'accepted' | 'duplicate' | 'rejected';

/** One uplink's claim on its outcome: settled once, when its fate is durable (as the promise of `OnUplink` resolves). */
export interface UplinkTicket {
  settle(outcome: Outcome): void;
}

/**
 * Hands an uplink to ingest: the promise resolves once its fate is durable. `take`, where
 * present, does the same without a promise per message: the ticket is settled instead
 * (a fleet's stream is tens of thousands a second; the transport's own record is the ticket).
 */
export type OnUplink = ((uplink: Uplink) => Promise<Outcome>) & { take?: (uplink: Uplink, ticket: UplinkTicket) => void };

/**
 * The server's side of MQTT, the same whether tonari embeds its broker or connects to
 * Mosquitto: uplinks come in, downlinks go out, a device can be cut off.
 */
export interface MqttTransport {
  /**
   * Starts delivering uplinks to `onUplink`. A QoS 1 uplink is acknowledged to its sender
   * only once the promise `onUplink` returned has resolved (its batch is committed, or it
   * was refused for good); until then the broker keeps it and delivers it again after a
   * reconnect. The transport bounds how many are unacknowledged at once.
   */
  start(onUplink: OnUplink): Promise<void>;
  publish(topic: string, payload: object): Promise<void>;
  disconnectDevice(deviceId: string): void;
  healthy(): boolean;
  /** Whether uplinks reach this server: the broker has confirmed its subscription on the current connection. */
  subscribed(): boolean;
  close(): Promise<void>;
}

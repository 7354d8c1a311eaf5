import type { Readable } from 'node:stream';
import mqtt, { type IClientOptions, type MqttClient, type Packet } from 'mqtt';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { parseTopic, topics, type ParsedTopic } from '../../../../devices/src/protocol.js';
import type { MqttTransport, OnUplink, Outcome, Uplink, UplinkTicket } from './mqtt-transport.js';
import { interceptPipe, type FastPublish } from './mqtt-publish-fast-path.js';

/** mqtt.js internals this transport hooks into (stable across 5.x; checked against 5.16). */
type PacketSender = (packet: Packet, cb?: (error?: Error) => void, cbStorePut?: () => void, noStore?: boolean) => void;
type StreamBuilder = (client: MqttClient) => Readable;
type Internals = { _sendPacket: PacketSender; streamBuilder: StreamBuilder };

/**
 * The server as a client of an external broker (Mosquitto at MQTT_URL). It keeps a
 * persistent session (clean: false, a stable client id per instance) so QoS 1 uplinks
 * published while it restarts are delivered when it is back, and subscribes through a
 * shared subscription so several instances split the devices between them. The broker
 * enforces device topics (dynamic security or ACL file), so the topic names the device.
 *
 * At least once: an uplink's PUBACK is sent only when ingest has committed it. mqtt.js
 * handles incoming packets one at a time and sends the PUBACK from handleMessage's callback,
 * waiting for it before the next packet; holding that callback would store one message at a
 * time. So handleMessage hands the message to ingest and calls back at once, and the PUBACK
 * mqtt.js then sends is held here and written when the batch has committed — only on the
 * connection the message came in on (message ids start over on a new connection, and the
 * broker delivers again whatever was not acknowledged). The MQTT 5 receive maximum bounds
 * how many uplinks are unacknowledged at once: beyond it the broker keeps the backlog.
 *
 * Subscribed again on every connect: Mosquitto restores a persistent session after its own
 * restart but not the session's shared subscription, and mqtt.js subscribes again only when
 * the session is not present. `subscribed()` is true once the broker has granted it on the
 * current connection.
 */
export class MqttClientTransport implements MqttTransport {
  client?: MqttClient;
  /** Bumped at every CONNACK: acknowledgements are only valid on the connection they belong to. */
  private generation = 0;
  private subscribedGeneration = -1;
  private subscribing = false;
  private started = false;

  constructor(
    private readonly deps: {
      url: string;
      shareGroup: string;
      clientId: string;
      log: Logger;
      metrics?: Metrics;
      /** Runs once connected, before subscribing: e.g. granting the server its ACLs in dynamic security. */
      beforeSubscribe?: (client: MqttClient) => Promise<void>;
      /** Uplinks unacknowledged at once (MQTT 5 receive maximum): enough for every lane of ingest to have a full batch committing and the next one filling. */
      receiveMaximum?: number;
      /** Seconds the broker keeps the session (and queues uplinks for it) while this instance is away. */
      sessionExpirySeconds?: number;
      reconnectPeriodMs?: number;
    },
  ) {}

  /**
   * A plain subscription unless a share group is set. Mosquitto 2.0 restores a persistent
   * session's plain subscriptions after its own restart, but not its shared ones: until the
   * server has subscribed again, uplinks matching only a shared subscription have no
   * subscriber and are dropped (the device has its PUBACK). A share group splits the
   * traffic between instances at the price of that window.
   */
  private get filter() {
    return this.deps.shareGroup ? `$share/${this.deps.shareGroup}/${topics.allUplinks}` : topics.allUplinks;
  }

  async start(onUplink: OnUplink): Promise<void> {
    const { log } = this.deps;
    const options: IClientOptions = {
      clientId: this.deps.clientId,
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: this.deps.sessionExpirySeconds ?? 86_400, receiveMaximum: this.deps.receiveMaximum ?? 10_000 },
      reconnectPeriod: this.deps.reconnectPeriodMs ?? 1000,
      connectTimeout: 10_000,
      // We subscribe on every connect ourselves (below); MosquittoDynsec does its own.
      resubscribe: false,
      // mqtt.js logs several lines per packet through \`debug\`, a call and a check each even
      // when off; with DEBUG unset there is nobody to read them.
      ...(process.env.DEBUG ? {} : { log: () => undefined }),
      // Connected below, once the hooks are in: the first connection's bytes go through the
      // fast path too.
      manualConnect: true,
    };
    // mqtt.connect, not connectAsync: every handler must be in place before the CONNACK, as
    // the queued messages of a persistent session follow it at once.
    const client = mqtt.connect(this.deps.url, options);
    this.client = client;
    this.holdAcknowledgements(client, onUplink);
    client.connect();
    let lost = false;
    client.on('error', (error) => log.error({ err: error }, 'mqtt client error'));
    client.on('close', () => {
      this.deps.metrics?.ingestSubscribed.set(0);
      if (this.started && !lost) log.warn('mqtt connection lost; reconnecting');
      lost = true;
    });
    client.on('connect', (connack) => {
      if (lost) log.info({ sessionPresent: connack.sessionPresent }, 'mqtt connection back');
      lost = false;
      if (this.started) void this.subscribe();
    });
    await new Promise<void>((resolve, reject) => {
      const onConnect = () => {
        client.off('error', onError);
        resolve();
      };
      const onError = (error: Error) => {
        client.off('connect', onConnect);
        client.end(true);
        reject(error);
      };
      client.once('connect', onConnect);
      client.once('error', onError);
    });
    await this.deps.beforeSubscribe?.(client);
    this.started = true;
    if (!(await this.subscribe())) throw new Error(`the broker refused the subscription ${this.filter}`);
  }

  /** Subscribes on the current connection; true once the broker granted it. */
  private async subscribe(): Promise<boolean> {
    const client = this.client!;
    if (this.subscribing || !client.connected) return this.subscribedGeneration === this.generation;
    this.subscribing = true;
    const generation = this.generation;
    try {
      const granted = await client.subscribeAsync(this.filter, { qos: 1 });
      // A refusal is a grant of 128 or more (v5 reason codes); anything else is QoS 0–2.
      const ok = granted.length > 0 && granted.every((g) => g.qos < 0x80);
      if (!ok) {
        this.deps.log.error({ filter: this.filter, granted }, 'the broker refused the uplink subscription: no device messages will arrive');
        return false;
      }
      if (generation === this.generation && client.connected) {
        this.subscribedGeneration = generation;
        this.deps.metrics?.ingestSubscribed.set(1);
      }
      return true;
    } catch (error) {
      // Dropped while subscribing: the next connect subscribes again.
      this.deps.log.warn({ err: error }, 'uplink subscription not confirmed; will subscribe again on reconnect');
      return false;
    } finally {
      this.subscribing = false;
      // A reconnect while we waited: subscribe on the new connection too.
      if (this.started && client.connected && this.subscribedGeneration !== this.generation && generation !== this.generation) void this.subscribe();
    }
  }

  /**
   * See the class comment: PUBACKs of uplinks are written when their batch has committed,
   * and in the order the uplinks arrived (MQTT 4.6), whichever lane of ingest finishes first.
   */
  private holdAcknowledgements(client: MqttClient, onUplink: OnUplink) {
    const internals = client as unknown as Internals;
    const send = internals._sendPacket.bind(client);
    // Uplinks of the current connection whose PUBACK waits, oldest first from `head` (a queue
    // without shift(), which copies the array once it is large).
    const held: Held[] = [];
    let head = 0;
    let holding: Held | null = null;
    const release = () => {
      let ids: number[] | null = null;
      while (head < held.length && held[head]!.settled) {
        const ack = held[head++]!;
        // Not stored (shutdown): no PUBACK, the broker delivers it again after a reconnect.
        if (ack.stored && ack.generation === this.generation) (ids ??= []).push(ack.messageId);
      }
      if (head > 4096 && head * 2 > held.length) {
        held.splice(0, head);
        head = 0;
      }
      if (ids && client.connected) writePubacks(client, ids);
    };
    // A batch's messages settle together (synchronously through `take`'s tickets, else each
    // in a microtask of its own): the release is queued behind them, so it writes their
    // PUBACKs at once (one write, not one per message).
    let releaseQueued = false;
    const settled = (ack: Held) => {
      if (releaseQueued || ack.generation !== this.generation) return;
      releaseQueued = true;
      queueMicrotask(() => {
        releaseQueued = false;
        release();
      });
    };
    // A new connection begins at its CONNACK, not at mqtt.js's 'connect': that is emitted only
    // once its outgoing store has drained (a round trip per QoS 1 message queued while offline),
    // and the session's queued uplinks, which follow the CONNACK at once, are taken meanwhile —
    // counted to the old connection, they would be stored and never acknowledged. mqtt.js emits
    // 'packetreceive' before it handles the packet, so before any uplink of the new connection.
    // Message ids start over on a new connection; the broker sends again what we did not acknowledge.
    client.on('packetreceive', (packet) => {
      if (packet.cmd !== 'connack') return;
      this.generation++;
      held.length = 0;
      head = 0;
    });
    const take = onUplink.take;
    const topicOf = topicCache();
    /** A QoS 1 uplink: its PUBACK waits in `held` until ingest settles its ticket. */
    const receive = (uplink: Uplink, messageId: number): Held => {
      const ack = new Held(this.generation, messageId, settled);
      held.push(ack);
      if (take) take(uplink, ack);
      else
        onUplink(uplink).then(
          (outcome) => ack.settle(outcome),
          () => ack.fail(),
        );
      return ack;
    };
    // The common packet, a plain QoS 1 PUBLISH of an uplink, is read off the connection
    // without mqtt.js (mqtt-publish-fast-path.ts); everything else still goes through it.
    if (client.options.protocolVersion === 5) {
      const fast = ({ topic: name, messageId, payload }: FastPublish) => {
        const topic = topicOf(name);
        if (!topic || topic.direction !== 'up') return false;
        receive({ deviceId: topic.deviceId, associationId: topic.associationId, kind: topic.kind, payload }, messageId);
        return true;
      };
      const build = internals.streamBuilder;
      internals.streamBuilder = (c) => {
        const stream = build(c);
        interceptPipe(stream, client, fast);
        return stream;
      };
    }
    client.handleMessage = (packet, callback) => {
      const topic = topicOf(packet.topic);
      if (!topic || topic.direction !== 'up') return callback(); // e.g. dynamic security replies: acknowledged as usual
      const uplink: Uplink = { deviceId: topic.deviceId, associationId: topic.associationId, kind: topic.kind, payload: packet.payload as Buffer };
      if (packet.qos !== 1 || packet.messageId === undefined) {
        void onUplink(uplink);
        return callback();
      }
      const ack = receive(uplink, packet.messageId);
      // mqtt.js sends the PUBACK from this callback, synchronously: _sendPacket below holds it.
      holding = ack;
      try {
        callback();
      } finally {
        holding = null;
      }
    };
    internals._sendPacket = (packet, cb, cbStorePut, noStore) => {
      if (packet.cmd === 'puback' && holding && packet.messageId === holding.messageId) {
        cb?.(); // the next packet may be handled; this PUBACK goes out in release()
        return;
      }
      send(packet, cb, cbStorePut, noStore);
    };
  }

  async publish(topic: string, payload: object): Promise<void> {
    await this.client!.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
  }

  /** The broker cuts the device off when its credentials are revoked or rotated (dynamic security). */
  disconnectDevice(): void {}

  healthy(): boolean {
    return !!this.client?.connected;
  }

  subscribed(): boolean {
    return !!this.client?.connected && this.subscribedGeneration === this.generation;
  }

  async close(): Promise<void> {
    this.started = false;
    await this.client?.endAsync();
  }
}

/** An uplink whose PUBACK waits: its ticket with ingest (no promise or closure of its own). */
class Held implements UplinkTicket {
  settled = false;
  /** False when it settled without being stored (shutdown): no PUBACK, the broker delivers it again. */
  stored = false;
  constructor(
    readonly generation: number,
    readonly messageId: number,
    private readonly onSettled: (ack: Held) => void,
  ) {}
  settle(_outcome: Outcome) {
    this.settled = true;
    this.stored = true;
    this.onSettled(this);
  }
  fail() {
    this.settled = true;
    this.onSettled(this);
  }
}

/**
 * Topics parsed once each: a device publishes on the same few topics all its life, and
 * splitting each message's topic anew was a few allocations per message. Bounded in entries
 * (emptied when it outgrows them) and in their length (a device's topics are under 100
 * characters; a longer one, which a device may send under its own `up/#`, is parsed, not kept).
 */
function topicCache(limit = 100_000, longest = 128) {
  const cache = new Map<string, ParsedTopic | null>();
  return (topic: string) => {
    if (topic.length > longest) return parseTopic(topic);
    let parsed = cache.get(topic);
    if (parsed === undefined) {
      if (cache.size >= limit) cache.clear();
      cache.set(topic, (parsed = parseTopic(topic)));
    }
    return parsed;
  };
}

/**
 * The PUBACKs of a committed batch in one socket write: a success PUBACK is four bytes in
 * MQTT 3.1.1 and 5 alike (type, remaining length 2, message id; v5 omits reason code 0).
 */
export function pubackBytes(messageIds: number[]): Buffer {
  const bytes = Buffer.allocUnsafe(messageIds.length * 4);
  messageIds.forEach((id, i) => {
    bytes[i * 4] = 0x40;
    bytes[i * 4 + 1] = 0x02;
    bytes.writeUInt16BE(id, i * 4 + 2);
  });
  return bytes;
}

function writePubacks(client: MqttClient, messageIds: number[]) {
  client.stream.write(pubackBytes(messageIds));
}

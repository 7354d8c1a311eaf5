import { PostgresAdapter } from '@socket.io/postgres-adapter';
import type { ClusterMessage, ClusterResponse } from 'socket.io-adapter';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { CONNECTION_TIMEOUT_MS } from '../db/database.js';
import { createOutageLog, type OutageLog } from '../outage.js';

const CHANNEL_PREFIX = 'socket.io';
/** Created by migrations/20261122T0930_socket_io_adapter.ts. */
const ATTACHMENTS = 'socket_io_attachments';
/** NOTIFY payloads must stay under 8000 bytes; larger messages go through the table. */
const PAYLOAD_THRESHOLD = 7_000;
const ATTACHMENT_TTL_MS = 30_000;
/** Messages per NOTIFY statement, and the most kept waiting while PostgreSQL is away (by count and by bytes). */
const BATCH = 200;
const MAX_QUEUED = 10_000;
const MAX_QUEUED_BYTES = 32 * 1024 * 1024;
/** How long close() keeps sending what is queued before it lets it go. */
const DRAIN_MS = 2_000;

/** Both connections': a dead peer is found by TCP keepalive after 30 s idle, or by a query unanswered for QUERY_TIMEOUT_MS. */
export const QUERY_TIMEOUT_MS = 5_000;
const CONNECTION = { connectionTimeoutMillis: CONNECTION_TIMEOUT_MS, keepAlive: true, keepAliveInitialDelayMillis: 30_000, query_timeout: QUERY_TIMEOUT_MS };

/** A message as it was when published: its JSON made then, so a later change by the caller is not sent. */
interface Queued {
  channel: string;
  payload: string;
  bytes: number;
  header: { uid: string; nsp: string; type: number };
}

/**
 * Socket.IO's PostgreSQL adapter with a listening connection that survives PostgreSQL
 * restarts.
 *
 * @socket.io/postgres-adapter 0.5 takes its LISTEN client from the pool and never listens
 * for that client's 'error': when PostgreSQL restarts, the client emits one and the process
 * exits. Its reconnection can also end up with two listening clients (one scheduled by the
 * failed LISTEN, one by the connection's end), which delivers every message twice. This keeps
 * the library's adapter (the cluster protocol, heartbeats, broadcasts) and replaces only its
 * pub/sub client: one dedicated listening connection with an error handler, re-established
 * with backoff and re-LISTENed after any loss, and publishes through a pool whose failures are
 * logged once per outage. Publishing does not hold up the local broadcast: messages are queued
 * and sent in order, those queued meanwhile together in one statement. The NOTIFY wire format
 * is the library's; messages too large for NOTIFY are stored as JSON (the library uses
 * msgpack: tonari's events carry no binary), and an instance does not read back its own.
 *
 * Messages published while the database is away are lost; when the listener comes back after a
 * loss, `onResync` runs so that this instance's clients can refetch what they may have missed.
 */
export function createResilientPostgresAdapter(options: { connectionString: string; log: Logger; onResync: () => void }) {
  const pubsub = new PubSub(options.connectionString, options.log, options.onResync);
  return Object.assign(
    function adapterFor(nsp: { name: string }) {
      const adapter = new PostgresAdapter(nsp, {}, pubsub as never);
      pubsub.addNamespace(nsp.name, adapter as unknown as { uid: string; onMessage(message: ClusterMessage): void });
      const close = adapter.close.bind(adapter);
      adapter.close = () => {
        pubsub.removeNamespace(nsp.name);
        close();
      };
      return adapter;
    },
    { close: () => pubsub.close() },
  );
}

type Namespace = { uid: string; onMessage(message: ClusterMessage): void };

/** Exported for its spec; the app uses it through createResilientPostgresAdapter. */
export class PubSub {
  private readonly pool: pg.Pool;
  private readonly namespaces = new Map<string, Namespace>();
  private readonly outage: OutageLog;
  private listener: pg.Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly cleanupTimer: NodeJS.Timeout;
  private attempts = 0;
  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  /** Whether this outage's dropping of old messages has been logged (once per outage). */
  private droppedLogged = false;
  private flushing: Promise<void> | undefined;
  private receiving = Promise.resolve();
  private seq = 0;
  private lostOnce = false;
  private closed = false;
  /** Set once close() has drained (or given up): nothing more is sent. */
  private stopped = false;

  constructor(
    private readonly connectionString: string,
    private readonly log: Logger,
    private readonly onResync: () => void,
  ) {
    this.outage = createOutageLog(log, 'realtime (Socket.IO adapter)');
    // Its two connections stay open (no idle timeout): a broadcast after a quiet spell does not
    // open one again, with a SCRAM exchange on the event loop, while its sockets are written to.
    // A connection that went half-open meanwhile (a NAT or firewall forgot it) would then hold
    // every later publish forever: TCP keepalive finds it while idle, and a query that gets no
    // answer fails, which discards its connection (the pool opens another for the next one).
    this.pool = new pg.Pool({ connectionString, max: 2, idleTimeoutMillis: 0, ...CONNECTION });
    this.pool.on('error', () => undefined);
    this.pool.on('connect', (client) => client.on('error', () => undefined));
    this.cleanupTimer = setInterval(() => {
      this.pool.query(`DELETE FROM ${ATTACHMENTS} WHERE created_at < now() - interval '${ATTACHMENT_TTL_MS} milliseconds'`).catch((error) => this.failed(error));
    }, ATTACHMENT_TTL_MS);
    this.cleanupTimer.unref();
    void this.listen();
  }

  private channel(nsp: string) {
    return `${CHANNEL_PREFIX}#${nsp}`;
  }

  /** What waits to be sent to the other instances. */
  get pending() {
    return { messages: this.queue.length, bytes: this.queuedBytes };
  }

  addNamespace(name: string, adapter: Namespace) {
    this.namespaces.set(name, adapter);
    this.listener?.query(`LISTEN ${pg.escapeIdentifier(this.channel(name))}`).catch((error) => this.failed(error));
  }

  removeNamespace(name: string) {
    this.namespaces.delete(name);
    if (this.namespaces.size === 0) this.close();
  }

  /** One listening connection at a time: it is replaced only after it is gone. */
  private async listen() {
    if (this.closed || this.listener) return;
    const client = new pg.Client({ connectionString: this.connectionString, ...CONNECTION });
    // Without this listener a dropped connection is an uncaught 'error' event: exit 1.
    client.on('error', (error) => this.failed(error));
    // In order: a message stored as an attachment (read back from the table) holds up the ones after it.
    client.on('notification', (message) => void (this.receiving = this.receiving.then(() => this.received(message.payload))));
    try {
      await client.connect();
      for (const name of this.namespaces.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(this.channel(name))}`);
    } catch (error) {
      this.failed(error);
      client.end().catch(() => undefined);
      this.retry();
      return;
    }
    if (this.closed) {
      void client.end().catch(() => undefined);
      return;
    }
    client.once('end', () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.lostOnce = true;
      this.retry();
    });
    this.listener = client;
    this.attempts = 0;
    this.outage.up();
    if (this.lostOnce) {
      this.log.info('realtime listener re-established; clients are told to refetch what they may have missed');
      this.onResync();
    }
  }

  private retry() {
    if (this.closed || this.reconnectTimer) return;
    this.lostOnce = true;
    // 0.5 s, 1 s, then every 2-2.5 s: back within seconds of the database, without hammering it.
    const delay = Math.min(500 * 2 ** this.attempts++, 2_000) + Math.random() * 500;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.listen();
    }, delay);
  }

  private failed(error: unknown) {
    if (!this.closed) this.outage.down(error);
  }

  private async received(payload: string | undefined) {
    try {
      const header = JSON.parse(payload ?? '') as ClusterMessage & { attachmentId?: string };
      if (this.namespaces.get(header.nsp)?.uid === header.uid) return;
      let message: ClusterMessage = header;
      if (header.attachmentId) {
        const { rows } = await this.pool.query<{ payload: Buffer }>(`SELECT payload FROM ${ATTACHMENTS} WHERE id = $1`, [header.attachmentId]);
        if (!rows[0]) return;
        message = JSON.parse(rows[0].payload.toString('utf8')) as ClusterMessage;
      }
      this.namespaces.get(message.nsp)?.onMessage(message);
    } catch (error) {
      this.failed(error);
    }
  }

  /**
   * Called by the library's adapter for broadcasts, heartbeats and responses. Never rejects,
   * and never waits for the database: the message is queued and this resolves at once, so the
   * adapter's broadcast goes to this instance's sockets straight away while the message goes
   * to the other instances alongside (the library awaits this before its local broadcast).
   */
  publish(message: ClusterMessage | ClusterResponse & { nsp?: string }) {
    if (this.closed) return Promise.resolve();
    const { nsp, uid, type } = message as { nsp: string; uid: string; type: number };
    // Made now: the caller may change its event object after emit, and the other instances
    // must get what this one's sockets got. A serial number: PostgreSQL delivers identical
    // notifications of one transaction once.
    const payload = JSON.stringify({ ...message, seq: this.seq++ });
    const bytes = Buffer.byteLength(payload);
    this.queue.push({ channel: this.channel(nsp), payload, bytes, header: { uid, nsp, type } });
    this.queuedBytes += bytes;
    let dropped = 0;
    while (this.queue.length > MAX_QUEUED || (this.queuedBytes > MAX_QUEUED_BYTES && this.queue.length > 1)) {
      // The database has been away for a while: the oldest messages are lost, as any published during an outage.
      this.queuedBytes -= this.queue.shift()!.bytes;
      dropped++;
    }
    if (dropped && !this.droppedLogged) {
      this.droppedLogged = true;
      this.log.warn({ queued: this.queue.length, queuedBytes: this.queuedBytes }, `realtime: more than ${MAX_QUEUED} messages or ${MAX_QUEUED_BYTES / 1024 / 1024} MB waiting for PostgreSQL; the oldest are dropped until it is back`);
    }
    // After the current task: the local broadcast that published this goes first.
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
    return Promise.resolve();
  }

  /**
   * One statement in flight at a time, with everything queued meanwhile: the messages reach
   * the other instances in the order they were published, in as few round trips as the
   * database's speed allows.
   */
  private async flush() {
    while (this.queue.length && !this.stopped) {
      const batch = this.queue.splice(0, BATCH);
      for (const message of batch) this.queuedBytes -= message.bytes;
      try {
        await this.send(batch);
        this.droppedLogged = false;
      } catch (error) {
        this.failed(error);
      }
    }
    this.flushing = undefined;
  }

  private async send(batch: Queued[]) {
    const channels: string[] = [];
    const payloads: string[] = [];
    for (const { channel, payload, bytes, header } of batch) {
      let notified = payload;
      if (bytes > PAYLOAD_THRESHOLD) {
        // One failed attachment loses its own message, not the batch around it.
        try {
          const { rows } = await this.pool.query<{ id: string }>(`INSERT INTO ${ATTACHMENTS} (payload) VALUES ($1) RETURNING id`, [Buffer.from(payload, 'utf8')]);
          notified = JSON.stringify({ ...header, attachmentId: String(rows[0]!.id) });
        } catch (error) {
          this.failed(error);
          continue;
        }
      }
      channels.push(channel);
      payloads.push(notified);
    }
    if (!channels.length) return;
    // unnest yields the rows in array order, and NOTIFYs are delivered in the order they were sent.
    await this.pool.query('SELECT pg_notify(c, p) FROM unnest($1::text[], $2::text[]) AS t(c, p)', [channels, payloads]);
  }

  /**
   * Stops taking messages, sends what is queued for at most DRAIN_MS (a shutdown does not
   * lose the last broadcasts when PostgreSQL is there; it does not hang when it is not), then
   * ends the connections.
   */
  async close() {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.cleanupTimer);
    if (this.flushing) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.flushing, new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_MS)))]);
      clearTimeout(timer);
    }
    this.stopped = true;
    const listener = this.listener;
    this.listener = undefined;
    // Ending a half-open connection waits for an answer that never comes: not for longer than DRAIN_MS.
    let timer: NodeJS.Timeout | undefined;
    const ended = Promise.all([listener?.end().catch(() => undefined), this.pool.end().catch(() => undefined)]);
    await Promise.race([ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_MS)))]);
    clearTimeout(timer);
  }
}

import { describe, expect, it } from 'vitest';
import type { ClusterMessage } from 'socket.io-adapter';
import type { Logger } from '../logger.js';
import { PubSub } from './postgres-adapter.js';

/** A PostgreSQL that is not there: nothing listens on port 1. */
const AWAY = 'postgres://tonari@127.0.0.1:1/tonari';

function capturingLog() {
  const warnings: string[] = [];
  const log = { warn: (_: object, msg: string) => warnings.push(msg), info: () => undefined, debug: () => undefined, error: () => undefined };
  return { log: log as unknown as Logger, warnings };
}

const message = (text: string) => ({ uid: 'u', nsp: '/', type: 3, data: { packet: { data: ['circular:updated', { text }] } } }) as unknown as ClusterMessage;

describe('the Socket.IO adapter while PostgreSQL is away', () => {
  it('keeps at most 32 MB waiting, dropping the oldest with one log line for the outage, and closes within its drain time', async () => {
    const { log, warnings } = capturingLog();
    const pubsub = new PubSub(AWAY, log, () => undefined);
    const big = 'あ'.repeat(1024 * 1024 / 3); // about 1 MB of JSON
    for (let i = 0; i < 50; i++) void pubsub.publish(message(`${i}${big}`));
    expect(pubsub.pending.bytes).toBeLessThanOrEqual(32 * 1024 * 1024);
    expect(pubsub.pending.messages).toBeGreaterThan(20);
    expect(pubsub.pending.messages).toBeLessThan(50);
    expect(warnings.filter((w) => w.includes('the oldest are dropped'))).toHaveLength(1);

    const started = Date.now();
    await pubsub.close();
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('sends what the caller published, not what it changed afterwards', async () => {
    const { log } = capturingLog();
    const pubsub = new PubSub(AWAY, log, () => undefined);
    const event = { text: 'before' };
    const published = { uid: 'u', nsp: '/', type: 3, data: { packet: { data: ['circular:updated', event] } } } as unknown as ClusterMessage;
    void pubsub.publish(published);
    event.text = 'after';
    const queued = (pubsub as unknown as { queue: { payload: string }[] }).queue[0]!.payload;
    expect(queued).toContain('before');
    expect(queued).not.toContain('after');
    await pubsub.close();
  });
});

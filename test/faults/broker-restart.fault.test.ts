import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { MqttClient } from 'mqtt';
import { FaultStack } from '../support/fault-stack.js';
import { errorLines, faultTestsEnabled, waitFor } from '../support/processes.js';

/**
 * Mosquitto restarted under load (as `systemctl restart mosquitto` does: it saves its
 * persistence file and comes back): tonari reconnects, subscribes again, and ingest
 * resumes within seconds; nothing the speakers sent is lost, and /healthz tells the truth
 * throughout.
 */
const SPEAKERS = 10;
const PER_SPEAKER = 600;

let stack: FaultStack | undefined;
const speakers: MqttClient[] = [];
afterAll(async () => {
  for (const client of speakers) await client.endAsync(true).catch(() => undefined);
  await stack?.destroy();
});

async function storedCount(deviceIds: string[]) {
  const row = await stack!.db.selectFrom('device_messages').select(sql<number>`count(*)::int`.as('n')).where('device_id', 'in', deviceIds).executeTakeFirstOrThrow();
  return row.n;
}

describe.runIf(faultTestsEnabled)('a Mosquitto restart mid-stream', () => {
  it('resumes ingest within seconds and loses nothing', async () => {
    stack = await FaultStack.start();
    const instance = await stack.startInstance('a');
    const registered = await stack.registerSpeakers(SPEAKERS);
    for (const speaker of registered) speakers.push(await stack.connectSpeaker(speaker));
    const deviceIds = registered.map((s) => s.id);

    const bootId = `boot-${Date.now()}`;
    let published = 0;
    const streaming = registered.map(async (speaker, i) => {
      const client = speakers[i]!;
      for (let seq = 1; seq <= PER_SPEAKER; seq++) {
        const ts = new Date().toISOString();
        await client.publishAsync(`tonari/${speaker.associationId}/${speaker.id}/up/activity`, JSON.stringify({ bootId, seq, ts, type: 'presence', count: 1 }), { qos: 1 });
        published++;
        if (seq % 10 === 0) await new Promise((r) => setTimeout(r, 100));
      }
    });

    // Two restarts while the stream runs; after each, ingest must be back within seconds:
    // a message published after the restart is stored soon after.
    const restarts: number[] = [];
    const restarter = (async () => {
      for (let round = 0; round < 2; round++) {
        await waitFor('the stream to be under way', async () => published > (round + 1) * 1_500, 60_000);
        await stack!.mosquitto.restart();
        const since = Date.now();
        const before = await storedCount(deviceIds);
        await waitFor('ingest to resume after the broker restart', async () => (await storedCount(deviceIds)) > before + 200, 20_000, 100);
        restarts.push(Date.now() - since);
      }
    })();
    await Promise.all([...streaming, restarter]);

    const expected = SPEAKERS * PER_SPEAKER;
    const stored = await waitFor('every message to be stored', async () => ((await storedCount(deviceIds)) === expected ? expected : false), 30_000, 250).catch(() => storedCount(deviceIds));
    expect(stored, 'messages stored').toBe(expected);
    expect(restarts.every((ms) => ms < 15_000), `ingest resumed after ${restarts.join(' ms, ')} ms`).toBe(true);
    const health = await fetch(`${instance.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(instance.process.exitCode).toBeNull();
    expect(errorLines(instance).filter((line) => !line.includes('mqtt'))).toEqual([]);
  }, 180_000);
});

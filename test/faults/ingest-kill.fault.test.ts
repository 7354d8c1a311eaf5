import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { MqttClient } from 'mqtt';
import { FaultStack } from '../support/fault-stack.js';
import { faultTestsEnabled, waitFor } from '../support/processes.js';

/**
 * Device messages that the broker took are never lost and never applied twice, however
 * often the server dies: speakers stream QoS 1 heartbeats and presence reports through
 * Mosquitto while the only tonari instance is killed with SIGKILL and restarted, three
 * times. Every presence report must be stored once and its effect (the home's hourly
 * activity) applied exactly once; a heartbeat is state, not a stored event (no row: applying
 * one twice is applying it once), so each device must end with its last heartbeat sent.
 */
const SPEAKERS = 25;
const PER_SPEAKER = 1_000; // 25,000 messages, half of them presence reports
const KILLS = 3;

let stack: FaultStack | undefined;
const speakers: MqttClient[] = [];
afterAll(async () => {
  for (const client of speakers) await client.endAsync(true).catch(() => undefined);
  await stack?.destroy();
});

describe.runIf(faultTestsEnabled)('ingest under SIGKILL', () => {
  it('stores every acknowledged message once and applies its effect once across three kills', async () => {
    stack = await FaultStack.start();
    await stack.startInstance('a');
    const registered = await stack.registerSpeakers(SPEAKERS);
    for (const speaker of registered) speakers.push(await stack.connectSpeaker(speaker));

    // Each speaker publishes its stream at a steady pace (about 2,000 messages a second in
    // all), so the kills land in the middle of it. publishAsync resolves on the broker's
    // PUBACK: from then on the message is the broker's, and tonari's to keep.
    const bootId = `boot-${Date.now()}`;
    const streaming = registered.map(async (speaker, i) => {
      const client = speakers[i]!;
      const topic = (kind: string) => `tonari/${speaker.associationId}/${speaker.id}/up/${kind}`;
      for (let seq = 1; seq <= PER_SPEAKER; seq++) {
        const ts = new Date().toISOString();
        const payload =
          seq % 2 === 0
            ? { bootId, seq, ts, uptimeSeconds: seq, power: 'mains', battery: null, signal: -60, firmware: 'fault-test' }
            : { bootId, seq, ts, type: 'presence', count: 1 };
        await client.publishAsync(topic(seq % 2 === 0 ? 'heartbeat' : 'activity'), JSON.stringify(payload), { qos: 1 });
        if (seq % 20 === 0) await new Promise((r) => setTimeout(r, 200));
      }
    });

    const killer = (async () => {
      for (let kill = 0; kill < KILLS; kill++) {
        await new Promise((r) => setTimeout(r, 1_500 + Math.random() * 1_500));
        await stack!.instance('a').kill('SIGKILL');
        await stack!.startInstance('a');
      }
    })();
    await Promise.all([...streaming, killer]);

    const deviceIds = registered.map((s) => s.id);
    // The stored kind: presence reports (odd seqs), half of the stream.
    const expected = (SPEAKERS * PER_SPEAKER) / 2;
    const stored = await waitFor(
      'every message to be stored',
      async () => {
        const row = await stack!.db.selectFrom('device_messages').select(sql<number>`count(*)::int`.as('n')).where('device_id', 'in', deviceIds).executeTakeFirstOrThrow();
        return row.n === expected ? row.n : false;
      },
      90_000,
      500,
    ).catch(async () => (await stack!.db.selectFrom('device_messages').select(sql<number>`count(*)::int`.as('n')).where('device_id', 'in', deviceIds).executeTakeFirstOrThrow()).n);
    expect(stored, 'presence reports stored (lost = expected − stored; a heartbeat stored as a row would be one too many)').toBe(expected);

    // Effects once: each home's presence total is exactly its speaker's presence reports.
    const presence = await stack.db
      .selectFrom('activity_hourly')
      .select(['household_id', sql<number>`sum(presence)::int`.as('total')])
      .where('household_id', 'in', registered.map((s) => s.householdId))
      .groupBy('household_id')
      .execute();
    const totals = Object.fromEntries(presence.map((p) => [p.household_id, p.total]));
    expect(registered.map((s) => totals[s.householdId] ?? 0)).toEqual(registered.map(() => PER_SPEAKER / 2));
    // And each device shows its last heartbeat (seq PER_SPEAKER), none older put back over it.
    const devices = await stack.db.selectFrom('devices').select(['id', 'last_heartbeat']).where('id', 'in', deviceIds).execute();
    expect(devices.map((d) => (d.last_heartbeat as { seq?: number } | null)?.seq)).toEqual(devices.map(() => PER_SPEAKER));
  }, 420_000); // the stream alone took 157 s on the shared 2 cores at load 20 (it is paced to take about a minute)
});

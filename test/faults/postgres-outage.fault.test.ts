import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { MqttClient } from 'mqtt';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { FaultStack } from '../support/fault-stack.js';
import { ApiClient } from '../support/http-client.js';
import { faultTestsEnabled, waitFor } from '../support/processes.js';
import { hashPassword } from '../../server/src/auth/password.js';
import { demo } from '../../server/src/demo/seed.js';

/**
 * PostgreSQL restarted, then stopped for 20 s, in the middle of a drill, while households
 * answer in the app (over HTTP, retrying as the web app does, with one idempotency key per
 * answer) and speakers answer over MQTT. Two tonari instances: neither exits, the API says
 * 503 with Retry-After while the database is away (never a 500, never a refused
 * connection), every answer is stored exactly once, and realtime across the instances
 * comes back by itself.
 */
const APP_HOMES = 24;
const SPEAKER_HOMES = 9;
const OUTAGE_MS = 20_000;

let stack: FaultStack | undefined;
const speakers: MqttClient[] = [];
let officerSocket: Socket | undefined;
afterAll(async () => {
  officerSocket?.close();
  for (const client of speakers) await client.endAsync(true).catch(() => undefined);
  await stack?.destroy();
});

interface Seen {
  unavailable: number;
  retryAfter: (string | null)[];
  serverErrors: string[];
  refused: number;
}

/** Answers like the web app: the same request with the same key until it is through. */
async function answerUntilStored(client: ApiClient, drillId: string, seen: Seen) {
  const key = randomUUID();
  for (;;) {
    let response;
    try {
      response = await client.request('POST', `/api/drills/${drillId}/answer`, { status: 'safe', where: 'home', note: '' }, { 'idempotency-key': key });
    } catch {
      seen.refused++;
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    if (response.status === 503) {
      seen.unavailable++;
      seen.retryAfter.push(response.headers.get('retry-after'));
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    if (response.status >= 500) seen.serverErrors.push(`${response.status} ${response.text}`);
    if (response.status !== 200) throw new Error(`answer refused: ${response.status} ${response.text}`);
    return;
  }
}

describe.runIf(faultTestsEnabled)('a PostgreSQL outage mid-drill', () => {
  it('keeps every instance up, answers 503 while the database is away, stores each answer once and resumes realtime', async () => {
    stack = await FaultStack.start();
    const a = await stack.startInstance('a');
    const b = await stack.startInstance('b');
    const db = stack.db;

    // Households that answer in the app: a login each (one hash for all, to save time).
    const hash = await hashPassword('fault-test-password');
    const appHomes = await db.selectFrom('households').select('id').where('association_id', '=', demo.associationId).where(sql<boolean>`channels @> array['app']::text[]`).orderBy('household_number', 'desc').limit(APP_HOMES).execute();
    await db
      .insertInto('people')
      .values(appHomes.map((h, i) => ({ association_id: demo.associationId, household_id: h.id, name: `回答 ${i}`, email: `fault-answer-${i}@example.jp`, password_hash: hash })))
      .execute();
    const households = await Promise.all(
      appHomes.map(async (_, i) => {
        const client = new ApiClient((i % 2 ? b : a).baseUrl);
        await client.login(`fault-answer-${i}@example.jp`, 'fault-test-password');
        return client;
      }),
    );
    const registered = await stack.registerSpeakers(SPEAKER_HOMES);
    for (const speaker of registered) speakers.push(await stack.connectSpeaker(speaker));

    const officer = await stack.officer('a');
    const started = await officer.post('/api/drills', {
      kind: 'drill', title: '停電訓練', message: '', targetBlockIds: null, announced: false,
      deadlineAt: new Date(Date.now() + 30 * 60_000).toISOString(), volunteersAfterMinutes: 15, officersAfterMinutes: 30,
    });
    expect(started.status).toBe(201);
    const drillId = started.body.id as string;

    // The officer watches the dashboard on the other instance.
    const officerOnB = await stack.officer('b');
    officerSocket = connectSocket(b.baseUrl, { extraHeaders: { cookie: officerOnB.cookie }, transports: ['websocket'] });
    await new Promise<void>((resolve, reject) => (officerSocket!.once('connect', resolve), officerSocket!.once('connect_error', reject)));
    const updates: string[] = [];
    officerSocket.on('drill:updated', (event) => updates.push(event.householdId));

    const bootId = `boot-${Date.now()}`;
    const speakerAnswer = (i: number) =>
      speakers[i]!.publishAsync(
        `tonari/${registered[i]!.associationId}/${registered[i]!.id}/up/answer`,
        JSON.stringify({ bootId, seq: 1, ts: new Date().toISOString(), promptId: drillId, button: 'safe' }),
        { qos: 1 },
      );
    const seen: Seen = { unavailable: 0, retryAfter: [], serverErrors: [], refused: 0 };
    const third = (n: number, part: 0 | 1 | 2) => Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 === part);

    // Before the outage, realtime across instances works.
    for (const i of third(APP_HOMES, 0)) await answerUntilStored(households[i]!, drillId, seen);
    for (const i of third(SPEAKER_HOMES, 0)) await speakerAnswer(i);
    await waitFor('live updates before the outage', async () => updates.length >= third(APP_HOMES, 0).length, 10_000);

    // A restart, then 20 s without PostgreSQL, while the second third answers.
    await stack.postgres.restart();
    await stack.postgres.stop();
    const stoppedAt = Date.now();
    const during = [
      ...third(APP_HOMES, 1).map((i) => answerUntilStored(households[i]!, drillId, seen)),
      ...third(SPEAKER_HOMES, 1).map((i) => speakerAnswer(i)),
    ];
    const health = await fetch(`${a.baseUrl}/healthz`);
    expect(health.status).toBe(503);
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
    await stack.postgres.start();
    await Promise.all(during);

    // After it: the last third, and realtime from instance a reaches the officer on b.
    const updatesBefore = updates.length;
    for (const i of third(APP_HOMES, 2)) await answerUntilStored(households[i]!, drillId, seen);
    for (const i of third(SPEAKER_HOMES, 2)) await speakerAnswer(i);
    await waitFor('live updates after the outage', async () => updates.length > updatesBefore, 15_000);

    const answeredHomes = [...appHomes.map((h) => h.id), ...registered.map((s) => s.householdId)];
    const answers = await waitFor(
      'every answer to be stored',
      async () => {
        const rows = await db.selectFrom('drill_answers').select(['household_id', sql<number>`count(*)::int`.as('n')]).where('drill_id', '=', drillId).groupBy('household_id').execute();
        return rows.length === answeredHomes.length ? rows : false;
      },
      30_000,
      250,
    );
    expect(Object.fromEntries(answers.map((r) => [r.household_id, r.n]))).toEqual(Object.fromEntries(answeredHomes.map((id) => [id, 1])));
    const accounted = await db.selectFrom('drill_targets').select(sql<number>`count(*)::int`.as('n')).where('drill_id', '=', drillId).where('household_id', 'in', answeredHomes).where('accounted_at', 'is not', null).executeTakeFirstOrThrow();
    expect(accounted.n).toBe(answeredHomes.length);

    expect(seen.unavailable, 'answers told 503 during the outage').toBeGreaterThan(0);
    expect(seen.retryAfter.every((value) => value !== null && Number(value) > 0)).toBe(true);
    expect(seen.serverErrors).toEqual([]);
    expect(seen.refused, 'requests refused (an instance was down)').toBe(0);
    expect([a.process.exitCode, b.process.exitCode]).toEqual([null, null]);
    expect((await fetch(`${b.baseUrl}/healthz`)).status).toBe(200);
  }, 180_000);
});

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { FaultStack } from '../support/fault-stack.js';
import { faultTestsEnabled, waitFor } from '../support/processes.js';
import { demo } from '../../server/src/demo/seed.js';

/**
 * The JMA trigger under SIGKILL: two instances poll a local JMA feed (test/fixtures/jma,
 * 出典：気象庁); a 震度5弱 telegram for 京都府南部 (the demo association's area) arrives; the
 * instance that fires the trigger after the hold-off is killed inside its transaction, before
 * the commit, and is restarted. Where it stops: the test holds a lock on audit_log, and the
 * first audit row of the fire is beginDrill's `drill.started` (drills/drill.service.ts), written
 * after the trigger's marker (pending → started) and the event's drill and targets, before the
 * trigger's drill_id and the `quake.triggered` audit row. The probe recognises that session by
 * the quake_triggers row it has written; that the marker comes first is what lets the probe see
 * it there, not a correctness property by itself: the marker and the event are one transaction,
 * and in either order they roll back together.
 *
 * Exactly one real event must exist for the quake, every household of the association a target
 * of it, one first round of asking, each household's speaker prompted once (a speaker is
 * registered in every demo household without one, and the test listens to every prompt the
 * broker carries for the association), and it must start within seconds of being due.
 */
const EVENT_ID = '20261201100000';
const HOLD_OFF_S = 20;
/** A killed fire comes back after quake-fire's expiry (30 s), supervision and polling. */
const KILLED_FIRE_WITHIN_S = 50;

/** A local JMA: the Atom feed and the one telegram, sent now (Control/DateTime). */
function feedServer() {
  const published: { at: string }[] = [];
  const server: Server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url === '/feed.xml') {
      const entries = published.map((e) => `<entry><title>震度速報</title><id>${base}/data/kyoto-5lower-VXSE51.xml</id><updated>${e.at}</updated><author><name>気象庁</name></author><link type="application/xml" href="${base}/data/kyoto-5lower-VXSE51.xml"/><content type="text">【震度速報】</content></entry>`);
      return void res
        .writeHead(200, { 'content-type': 'application/atom+xml' })
        .end(`<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" lang="ja"><title>高頻度（地震火山）</title><updated>${published[0]?.at ?? '2026-01-01T00:00:00Z'}</updated><id>urn:test:eqvol</id><rights>出典：気象庁</rights>\n${entries.join('\n')}\n</feed>`);
    }
    if (req.url === '/data/kyoto-5lower-VXSE51.xml' && published[0]) {
      const xml = readFileSync(new URL('../fixtures/jma/kyoto-5lower-VXSE51.xml', import.meta.url), 'utf8').replace(/<DateTime>[^<]*<\/DateTime>/, `<DateTime>${published[0].at}</DateTime>`);
      return void res.writeHead(200, { 'content-type': 'application/xml' }).end(xml);
    }
    res.writeHead(404).end();
  });
  return {
    server,
    start: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    publish: () => void published.push({ at: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }),
  };
}

let stack: FaultStack | undefined;
let listener: MqttClient | undefined;
const feed = feedServer();
afterAll(async () => {
  await listener?.endAsync();
  await stack?.destroy();
  await new Promise((resolve) => feed.server.close(resolve));
});

describe.runIf(faultTestsEnabled)('the JMA trigger under SIGKILL', () => {
  it('starts one real event, asking every household once, within seconds, with the firing instance killed before its commit', async () => {
    const base = await feed.start();
    stack = await FaultStack.start({ QUAKE_FEED: 'true', QUAKE_FEED_URL: `${base}/feed.xml` });
    await stack.startInstance('a');
    await stack.startInstance('b');
    const db = stack.db;
    await db.updateTable('quake_settings').set({ hold_off_seconds: HOLD_OFF_S }).where('association_id', '=', demo.associationId).execute();
    // A speaker in every household, and an ear on every prompt the broker carries for the association.
    const speakerless = await db.selectFrom('households').select('id').where('association_id', '=', demo.associationId)
      .where('id', 'not in', db.selectFrom('devices').select('household_id').where('household_id', 'is not', null).where('revoked_at', 'is', null).$narrowType<{ household_id: string }>()).execute();
    await stack.registerSpeakers(speakerless.length);
    const prompts: { deviceId: string; promptId: string }[] = [];
    listener = await mqtt.connectAsync(stack.mosquitto.adminUrl, { clientId: `quake-fire-listener-${process.pid}` });
    listener.on('message', (topic, payload) => {
      const { id } = JSON.parse(payload.toString()) as { id: string };
      prompts.push({ deviceId: topic.split('/')[2]!, promptId: id });
    });
    await listener.subscribeAsync(`tonari/${demo.associationId}/+/down/prompt`, { qos: 1 });
    const eventsBefore = await db.selectFrom('drills').select('id').where('association_id', '=', demo.associationId).where('kind', '=', 'real').execute();
    feed.publish();

    // The next minute's quake-poll (one of the two instances) reads it: a pending trigger.
    const trigger = await waitFor('the pending trigger', () => db.selectFrom('quake_triggers').selectAll().where('event_id', '=', EVENT_ID).executeTakeFirst(), 90_000, 200);
    expect(trigger).toMatchObject({ association_id: demo.associationId, status: 'pending', intensity: '5-' });
    const due = trigger.fire_at.getTime();
    expect(due - Date.now(), 'the hold-off still runs').toBeGreaterThan(3_000);

    // Killed inside the fire: past the marker (quake_triggers written), waiting on audit_log.
    await new Promise((r) => setTimeout(r, due - 2_000 - Date.now()));
    const lock = await stack.lockTable('audit_log');
    const victim = await lock.killWaiter(30_000, { holding: 'quake_triggers' });
    expect(['a', 'b']).toContain(victim);
    expect(await db.selectFrom('quake_triggers').select(['status', 'drill_id']).where('id', '=', trigger.id).executeTakeFirstOrThrow(), 'rolled back with its instance').toEqual({ status: 'pending', drill_id: null });
    await stack.startInstance(victim);

    const started = await waitFor('the trigger started', async () => {
      const row = await db.selectFrom('quake_triggers').select(['status', 'drill_id']).where('id', '=', trigger.id).executeTakeFirstOrThrow();
      return row.status === 'started' && row;
    }, 120_000, 200);
    await new Promise((r) => setTimeout(r, 5_000)); // room for a repeat, were there one

    // Exactly one real event, for this quake.
    const eventsAfter = await db.selectFrom('drills').select(['id', 'started_at', 'started_by', 'title']).where('association_id', '=', demo.associationId).where('kind', '=', 'real').execute();
    const fresh = eventsAfter.filter((e) => !eventsBefore.some((b) => b.id === e.id));
    expect(fresh).toEqual([expect.objectContaining({ id: started.drill_id, started_by: null, title: '地震（京都府南部 震度5弱）の安否確認' })]);
    expect(await db.selectFrom('quake_triggers').select('id').where('event_id', '=', EVENT_ID).execute()).toHaveLength(1);
    expect(await db.selectFrom('audit_log').select('id').where('action', '=', 'quake.triggered').execute()).toHaveLength(1);

    // Every household of the association a target of the one event.
    const households = await db.selectFrom('households').select('id').where('association_id', '=', demo.associationId).execute();
    const targets = await db.selectFrom('drill_targets').select('household_id').where('drill_id', '=', started.drill_id!).execute();
    expect(targets).toHaveLength(households.length);
    expect(targets.map((t) => t.household_id).sort()).toEqual(households.map((h) => h.id).sort());
    // One first round of asking (the start's drill-ask job, its continuations aside), and each household's speakers prompted once.
    const asks = await sql<{ n: number; done: number }>`select count(*)::int as n, count(*) filter (where state = 'completed')::int as done
      from pgboss.job where name = 'drill-ask' and data->>'drillId' = ${started.drill_id} and data->>'after' is null`.execute(db);
    expect(asks.rows[0]).toEqual({ n: 1, done: 1 });
    const speakers = await db.selectFrom('devices').innerJoin('households', 'households.id', 'devices.household_id').select(['devices.id', 'devices.household_id'])
      .where('households.association_id', '=', demo.associationId).where('devices.revoked_at', 'is', null).execute();
    expect(new Set(speakers.map((d) => d.household_id)).size, 'a speaker in every household').toBe(households.length);
    await waitFor('every speaker prompted', async () => speakers.every((d) => prompts.some((p) => p.deviceId === d.id && p.promptId === started.drill_id)), 30_000, 200);
    await new Promise((r) => setTimeout(r, 3_000)); // room for a repeated ask, were there one
    const perHousehold = new Map(households.map((h) => [h.id, 0]));
    for (const p of prompts.filter((p) => p.promptId === started.drill_id)) {
      const household = speakers.find((d) => d.id === p.deviceId)?.household_id;
      expect(household, `a prompt to a speaker of the association (${p.deviceId})`).toBeDefined();
      perHousehold.set(household!, perHousehold.get(household!)! + 1);
    }
    const devicesPer = (h: string) => speakers.filter((d) => d.household_id === h).length;
    expect([...perHousehold].filter(([h, n]) => n !== devicesPer(h)), 'households whose speakers were not prompted exactly once each').toEqual([]);

    const lateness = (fresh[0]!.started_at.getTime() - due) / 1000;
    console.info(`quake fire: killed ${victim}; the event started ${lateness.toFixed(1)} s after it was due`);
    expect(lateness, `started ${lateness} s late`).toBeLessThan(KILLED_FIRE_WITHIN_S);
  }, 300_000);
});

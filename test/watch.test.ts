import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { MqttClient } from 'mqtt';
import { until } from './support/wait.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { connectDevice, startTestServer, type TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { topics } from '../devices/src/protocol.js';
import { makeDue } from './support/jobs.js';

/**
 * Watching over a home, end to end: a real broker and device, the durable jobs of the
 * escalation chain, and the people in each tier. The clock is moved by making the waiting
 * job due now (and by dating the last activity back), which is exactly what time would do.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
const client: Record<string, ApiClient> = {};
const devices: MqttClient[] = [];
let seq = 1;

const envelope = () => ({ bootId: 'boot', seq: seq++, ts: new Date().toISOString() });

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer(database);
  x = await seedAssociation(database.db);
  for (const [name, login] of Object.entries(x.logins)) {
    client[name] = new ApiClient(server.baseUrl);
    await client[name]!.login(login, PASSWORD);
  }
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.endAsync(true).catch(() => undefined)));
  await server?.close();
  await database?.drop();
});

/** A speaker in a household, connected, collecting its downlinks. */
async function speakerIn(householdId: string, label: string, options: { will?: boolean } = {}) {
  const registered = await client.officer!.post('/api/devices', { label, householdId });
  const { credentials, device } = registered.body;
  const mqtt = await connectDevice(server.deviceMqttUrl, credentials, options.will ? { will: { topic: topics.uplink(x.association.id, device.id, 'status'), payload: Buffer.from('{"online":false}'), qos: 1, retain: false } } : {});
  devices.push(mqtt);
  const prompts: { id: string; buttons: string[]; kind: string }[] = [];
  await mqtt.subscribeAsync(`${credentials.topicPrefix}/down/#`, { qos: 1 });
  mqtt.on('message', (topic, payload) => topic.endsWith('/down/prompt') && prompts.push(JSON.parse(payload.toString())));
  const publish = (kind: 'heartbeat' | 'activity' | 'answer' | 'status', payload: object) =>
    mqtt.publishAsync(topics.uplink(x.association.id, device.id, kind), JSON.stringify(payload), { qos: 1 });
  return { id: device.id as string, mqtt, prompts, publish, credentials };
}

/** The home has been silent past its threshold, and the minute's scan runs. */
async function silentSince(householdId: string) {
  await database.db.updateTable('watch_settings').set({ last_activity_at: sql`now() - interval '25 hours'`, next_check_at: sql`now() - interval '1 minute'` }).where('household_id', '=', householdId).execute();
  await server.app.jobs.sendDetached('tick', 'watch-scan', {});
}
/** The wait before the next tier is over. */
async function waitIsOver() {
  await makeDue(database.db, 'watch-escalate');
}
const alertsOf = async (who: string, status: 'live' | 'closed' = 'live') => (await client[who]!.get(`/api/watch/alerts?status=${status}`)).body.items as { id: string; kind: string; tier: string; status: string; household: { id: string }; events: { what: string; tier: string | null }[]; outcome: string | null }[];
const liveFor = async (who: string, householdId: string) => (await alertsOf(who)).filter((a) => a.household.id === householdId);

describe('a silent home', () => {
  it('asks the resident first, then tells family and the 班長, then volunteers; taking it stops the chain', async () => {
    const home = x.households.A;
    const speaker = await speakerIn(home.id, '山田家スピーカー');
    expect((await client.memberA!.patch(`/api/watch/households/${home.id}/settings`, { shareWithVolunteers: true })).status).toBe(200);

    await silentSince(home.id);
    await until(async () => speaker.prompts.length, (n) => n > 0);
    const alert = (await until(() => liveFor('officer', home.id), (a) => a.length > 0))[0]!;
    expect(speaker.prompts[0]).toMatchObject({ id: alert.id, kind: 'watch', buttons: ['safe', 'help'] });
    expect(alert).toMatchObject({ kind: 'silent', tier: 'resident' });
    // While the resident is being asked, nobody else is disturbed.
    expect(await liveFor('captain1', home.id)).toEqual([]);
    expect(await liveFor('watcherA', home.id)).toEqual([]);

    await waitIsOver();
    await until(() => liveFor('captain1', home.id), (a) => a.length > 0);
    expect((await liveFor('watcherA', home.id))[0]!.tier).toBe('family_captain');
    expect(await liveFor('captain2', home.id)).toEqual([]); // another 班's captain
    expect(await liveFor('volunteer', home.id)).toEqual([]);

    await waitIsOver();
    await until(() => liveFor('volunteer', home.id), (a) => a.length > 0);
    const taken = await client.volunteer!.post(`/api/watch/alerts/${alert.id}/take`);
    expect(taken.body).toMatchObject({ status: 'taken', takenBy: '見守り 恵子' });
    expect((await client.captain1!.post(`/api/watch/alerts/${alert.id}/take`)).status).toBe(409);

    await waitIsOver();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await liveFor('officer', home.id))[0]!.tier).toBe('volunteers'); // stopped: not escalated to officers

    const resolved = await client.volunteer!.post(`/api/watch/alerts/${alert.id}/resolve`, { outcome: 'fine', note: '訪問: 庭仕事をしていました' });
    expect(resolved.body).toMatchObject({ status: 'resolved', outcome: 'fine', note: '訪問: 庭仕事をしていました' });
    expect(resolved.body.events.map((e: { what: string; tier: string | null }) => `${e.what}${e.tier ? `:${e.tier}` : ''}`)).toEqual([
      'prompted:resident', 'escalated:family_captain', 'escalated:volunteers', 'taken', 'resolved',
    ]);
  });

  it('closes itself when the resident presses 無事 on the prompt', async () => {
    const home = x.households.B;
    const speaker = await speakerIn(home.id, '佐藤家スピーカー');
    await silentSince(home.id);
    const prompt = (await until(async () => speaker.prompts, (p) => p.length > 0))[0]!;
    await speaker.publish('answer', { ...envelope(), promptId: prompt.id, button: 'safe' });
    const closed = await until(() => alertsOf('officer', 'closed'), (a) => a.some((x) => x.id === prompt.id));
    expect(closed.find((a) => a.id === prompt.id)).toMatchObject({ status: 'resolved', outcome: 'fine' });
    await waitIsOver();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await liveFor('captain2', home.id)).toEqual([]);
    const watch = await client.officer!.get(`/api/watch/households/${home.id}`);
    expect(watch.body.lastActivityAt).not.toBeNull();
    // The default threshold, 12 h (no rhythm learned yet: the home has no week of history).
    expect(Date.parse(watch.body.nextCheckAt)).toBeGreaterThan(Date.now() + 11 * 3600_000);
  });

  it('is not raised while the household is away', async () => {
    const home = x.households.C;
    await speakerIn(home.id, '鈴木家スピーカー');
    const away = await client.captain1!.post(`/api/watch/households/${home.id}/away`, { startsAt: new Date(Date.now() - 3600_000).toISOString(), endsAt: new Date(Date.now() + 2 * 86_400_000).toISOString(), reason: '入院' });
    expect(away.status).toBe(201); // the captain lives in C: their own household
    await silentSince(home.id);
    const settings = await until(
      () => database.db.selectFrom('watch_settings').select('next_check_at').where('household_id', '=', home.id).executeTakeFirstOrThrow(),
      (s) => !!s.next_check_at && s.next_check_at.getTime() > Date.now() + 86_400_000,
    );
    expect(settings.next_check_at!.getTime()).toBeGreaterThan(Date.now() + 2 * 86_400_000);
    expect(await liveFor('officer', home.id)).toEqual([]);
  });
});

describe('a help press', () => {
  it('tells every tier at once', async () => {
    const home = x.households.D;
    const speaker = await speakerIn(home.id, '高橋家スピーカー');
    await client.captain2!.patch(`/api/watch/households/${home.id}/settings`, { shareWithVolunteers: true });
    await speaker.publish('activity', { ...envelope(), type: 'button', button: 'help' });
    const seen = await until(() => liveFor('volunteer', home.id), (a) => a.length > 0);
    expect(seen[0]).toMatchObject({ kind: 'help', tier: 'officers' });
    expect((await liveFor('officer', home.id))[0]!.kind).toBe('help');
    expect((await liveFor('captain2', home.id))[0]!.kind).toBe('help');
  });
});

describe('a dead device', () => {
  it('raises a device-offline alert for officers, not a resident alert, and closes it when the device is back', async () => {
    const home = x.households.A;
    const speaker = await speakerIn(home.id, '予備スピーカー', { will: true });
    await speaker.publish('heartbeat', { ...envelope(), uptimeSeconds: 10, power: 'mains', battery: null, signal: -50, firmware: '1' });
    await until(() => database.db.selectFrom('devices').select('last_seen_at').where('id', '=', speaker.id).executeTakeFirstOrThrow(), (d) => !!d.last_seen_at);
    // The device vanishes without a goodbye: the broker publishes its last will.
    speaker.mqtt.stream.destroy();
    await until(() => database.db.selectFrom('devices').select('online').where('id', '=', speaker.id).executeTakeFirstOrThrow(), (d) => !d.online);
    await database.db.updateTable('devices').set({ last_seen_at: sql`now() - interval '10 minutes'` }).where('id', '=', speaker.id).execute();
    await server.app.jobs.sendDetached('tick', 'watch-scan', {});
    const offline = await until(() => alertsOf('officer'), (a) => a.some((x) => x.kind === 'device_offline'));
    expect(offline.filter((a) => a.kind === 'device_offline')).toHaveLength(1);
    expect((await alertsOf('captain1')).filter((a) => a.kind === 'device_offline')).toEqual([]);
    expect((await liveFor('officer', home.id)).filter((a) => a.kind === 'silent')).toEqual([]);

    const back = await connectDevice(server.deviceMqttUrl, speaker.credentials);
    devices.push(back);
    await back.publishAsync(topics.uplink(x.association.id, speaker.id, 'heartbeat'), JSON.stringify({ bootId: 'boot-2', seq: 1, ts: new Date().toISOString(), uptimeSeconds: 1, power: 'mains', battery: null, signal: -50, firmware: '1' }), { qos: 1 });
    await until(() => alertsOf('officer'), (a) => !a.some((x) => x.kind === 'device_offline'));
    expect((await alertsOf('officer', 'closed')).find((a) => a.kind === 'device_offline')).toMatchObject({ status: 'resolved', outcome: 'device_fixed' });
  });
});

describe('rules, consent and privacy', () => {
  it('refuses a zero threshold and quiet hours covering the whole day, with the reason', async () => {
    const zero = await client.officer!.patch(`/api/watch/households/${x.households.A.id}/settings`, { inactivityHours: 0 });
    expect(zero.status).toBe(400);
    expect(zero.body.error.field).toBe('inactivityHours');
    const allDay = await client.officer!.patch(`/api/watch/households/${x.households.A.id}/settings`, { quietHours: { start: '22:00', end: '22:00' } });
    expect(allDay.status).toBe(400);
    expect(allDay.body.error.message).toMatch(/whole day/);
  });

  it('shows 14 days of hourly activity to those the household allows, and logs every view', async () => {
    const home = x.households.B;
    const speaker = await speakerIn(home.id, '佐藤家 2台目');
    await speaker.publish('activity', { ...envelope(), type: 'presence', count: 4 });
    await speaker.publish('activity', { ...envelope(), type: 'voice' });
    const view = await until(() => client.captain2!.get(`/api/watch/households/${home.id}`), (r) => r.body.days?.at(-1)?.hours.some((n: number) => n >= 5));
    expect(view.body.days).toHaveLength(14);
    expect(view.body.days.at(-1).hours.reduce((a: number, b: number) => a + b, 0)).toBeGreaterThanOrEqual(5);
    expect(view.body.canEditConsent).toBe(false);
    expect((await client.captain2!.patch(`/api/watch/households/${home.id}/settings`, { shareWithCaptain: true })).status).toBe(403);

    await client.memberB!.patch(`/api/watch/households/${home.id}/settings`, { shareWithCaptain: false });
    expect((await client.captain2!.get(`/api/watch/households/${home.id}`)).status).toBe(404);
    expect((await client.memberA!.get(`/api/watch/households/${home.id}`)).status).toBe(404);
    const log = await client.officer!.get('/api/watch/access-log');
    expect(log.body.items.some((e: { personName: string; householdName: string; what: string }) => e.personName === '班長 二' && e.householdName === '佐藤家' && e.what === 'activity')).toBe(true);
    expect((await client.captain2!.get('/api/watch/access-log')).status).toBe(403);
  });

  it('deletes raw device events past the retention age and keeps the hourly aggregates', async () => {
    const device = await database.db.selectFrom('devices').select(['id', 'association_id', 'household_id']).where('household_id', '=', x.households.B.id).executeTakeFirstOrThrow();
    await database.db.insertInto('device_messages').values({ device_id: device.id, boot_id: 'old', seq: 1, kind: 'activity', sent_at: sql`now() - interval '100 days'`, received_at: sql`now() - interval '100 days'`, payload: '{}' } as never).execute();
    const aggregates = await database.db.selectFrom('activity_hourly').select('hour').where('household_id', '=', x.households.B.id).execute();
    await server.app.jobs.sendDetached('tick', 'watch-retention', {});
    await until(() => database.db.selectFrom('device_messages').select('boot_id').where('boot_id', '=', 'old').execute(), (rows) => rows.length === 0);
    expect(await database.db.selectFrom('device_messages').select('boot_id').where('boot_id', '=', 'old').execute()).toEqual([]);
    expect(await database.db.selectFrom('activity_hourly').select('hour').where('household_id', '=', x.households.B.id).execute()).toEqual(aggregates);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { until } from './support/wait.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { connectDevice, startTestServer, type TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { startPushService } from './support/push-service.js';
import { topics } from '../devices/src/protocol.js';
import { makeDue } from './support/jobs.js';

/**
 * A safety confirmation from start to report: asked on every channel, answered through
 * the app, a speaker (a real MQTT client) and by proxy, silent households escalated to
 * their 班長, volunteers and officers by durable jobs, and the report's figures checked
 * against what was answered.
 */
let database: TestDatabase;
let servers: TestServer[] = [];
let x: SeededAssociation;
let y: SeededAssociation;
const client: Record<string, ApiClient> = {};
let pushService: Awaited<ReturnType<typeof startPushService>>;
const sockets: Socket[] = [];

const server = () => servers.at(-1)!;
async function loginAll(baseUrl: string) {
  for (const [name, login] of Object.entries(x.logins)) {
    client[name] = new ApiClient(baseUrl);
    await client[name]!.login(login, PASSWORD);
  }
  client.officerY = new ApiClient(baseUrl);
  await client.officerY.login(y.logins.officer, PASSWORD);
}
/** Makes the drill's waiting jobs due now: the clock moved past the deadline or the next step. */
async function timePasses(queue: 'drill-deadline' | 'drill-escalate', tier?: 'volunteers' | 'officers') {
  await makeDue(database.db, queue, tier ? { tier } : {});
}
const households = (list: { householdNumber: string }[]) => list.map((t) => t.householdNumber).sort();

beforeAll(async () => {
  database = await createTestDatabase();
  servers = [await startTestServer(database)];
  x = await seedAssociation(database.db, 'dx');
  y = await seedAssociation(database.db, 'dy');
  pushService = await startPushService();
  await loginAll(server().baseUrl);
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  for (const s of servers) await s.close().catch(() => undefined);
  await pushService?.close();
  await database?.drop();
});

describe('starting', () => {
  it('refuses an empty scope, a past deadline, and anyone but an officer', async () => {
    const emptyBlock = await client.officer!.post('/api/blocks', { name: '空き班' });
    const future = new Date(Date.now() + 600_000).toISOString();
    const empty = await client.officer!.post('/api/drills', { kind: 'drill', title: '訓練', targetBlockIds: [emptyBlock.body.id], deadlineAt: future });
    expect(empty.status).toBe(400);
    expect(empty.body.error.field).toBe('targetBlockIds');
    const past = await client.officer!.post('/api/drills', { kind: 'drill', title: '訓練', deadlineAt: new Date(Date.now() - 1000).toISOString() });
    expect(past.body.error.field).toBe('deadlineAt');
    expect((await client.captain1!.post('/api/drills', { kind: 'drill', title: '訓練', deadlineAt: future })).status).toBe(403);
    expect((await database.db.selectFrom('drills').select('id').execute())).toEqual([]);
  });
});

describe('a drill over the whole association', () => {
  let drillId: string;

  it('asks every household on every channel it has', async () => {
    const subscription = pushService.subscription('member-a');
    await client.memberA!.post('/api/push/subscriptions', subscription);
    const registered = await client.officer!.post('/api/devices', { label: '鈴木家スピーカー', householdId: x.households.C.id });
    const { credentials, device } = registered.body;
    const speaker = await connectDevice(server().deviceMqttUrl, credentials);
    await speaker.subscribeAsync(`${credentials.topicPrefix}/down/#`, { qos: 1 });
    const prompts: { id: string; kind: string; buttons: string[] }[] = [];
    speaker.on('message', (topic, payload) => topic.endsWith('/down/prompt') && prompts.push(JSON.parse(payload.toString())));
    const socket = connectSocket(server().baseUrl, { extraHeaders: { cookie: client.memberB!.cookie }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    const started = new Promise<{ drillId: string }>((resolve) => socket.on('drill:started', resolve));

    const response = await client.officer!.post('/api/drills', {
      kind: 'drill', title: '地震を想定した安否確認訓練', message: '震度6強の地震が発生したと想定します。', deadlineAt: new Date(Date.now() + 600_000).toISOString(),
    });
    expect(response.status).toBe(201);
    drillId = response.body.id;
    expect(response.body).toMatchObject({ total: 4, accounted: 0, status: 'active' });
    expect((await started).drillId).toBe(drillId);
    const prompt = (await until(async () => prompts, (p) => p.length > 0))[0]!;
    expect(prompt).toMatchObject({ id: drillId, kind: 'drill', buttons: ['safe', 'help'] });
    await until(async () => pushService.received.filter((r) => r.path === '/push/member-a'), (r) => r.length > 0);
    // The paper-only household (D) is on its 班長's list from the start.
    expect(households((await client.captain2!.get(`/api/drills/${drillId}/tasks`)).body.items)).toEqual(['104']);
    expect((await client.memberB!.get('/api/drills/mine')).body.items[0].drill.id).toBe(drillId);

    // The speaker's 助けて answers "needs help", which reaches the captain and the officers at once.
    await speaker.publishAsync(topics.uplink(x.association.id, device.id, 'answer'), JSON.stringify({ bootId: 'b', seq: 1, ts: new Date().toISOString(), promptId: drillId, button: 'help' }), { qos: 1 });
    const dashboard = await until(() => client.officer!.get(`/api/drills/${drillId}/dashboard`), (r) => r.body.counts.needsHelp === 1);
    expect(dashboard.body.needsFollowUp.map((t: { householdNumber: string; channel: string }) => [t.householdNumber, t.channel])).toEqual([['103', 'speaker']]);
    await speaker.endAsync();
  });

  it('takes answers from the app and by proxy, keeping the first and the history', async () => {
    const first = await client.memberA!.post(`/api/drills/${drillId}/answer`, { status: 'safe', where: 'home' });
    expect(first.body.answer).toMatchObject({ status: 'safe', channel: 'app' });
    const later = await client.memberA!.post(`/api/drills/${drillId}/answer`, { status: 'safe', where: 'evacuated', note: '公民館に避難' });
    expect(later.body.answer).toMatchObject({ where: 'evacuated', channel: 'app' });
    const history = await database.db.selectFrom('drill_answers').select(['location']).where('drill_id', '=', drillId).where('household_id', '=', x.households.A.id).orderBy('id').execute();
    expect(history.map((h) => h.location)).toEqual(['home', 'evacuated']);
    const target = await database.db.selectFrom('drill_targets').select(['first_answered_at', 'answered_at']).where('drill_id', '=', drillId).where('household_id', '=', x.households.A.id).executeTakeFirstOrThrow();
    expect(target.first_answered_at!.getTime()).toBeLessThan(target.answered_at!.getTime());

    // A 班長 confirms only their own 班's households; outside it, nothing is recorded.
    expect((await client.captain1!.post(`/api/drills/${drillId}/proxy`, { householdId: x.households.B.id, status: 'safe' })).status).toBe(404);
    expect((await client.captain1!.post(`/api/drills/${drillId}/visit`, { householdId: x.households.D.id, outcome: 'safe' })).status).toBe(404);
    const proxy = await client.captain2!.post(`/api/drills/${drillId}/proxy`, { householdId: x.households.B.id, status: 'safe', note: '玄関先で確認' });
    expect(proxy.body.answer).toMatchObject({ status: 'safe', channel: 'proxy' });
    // Another association's officer, and an answer to a drill not addressed to you, get 404.
    expect((await client.officerY!.get(`/api/drills/${drillId}/dashboard`)).status).toBe(404);
    const outsider = new ApiClient(server().baseUrl);
    await outsider.login(y.logins.memberA, PASSWORD);
    expect((await outsider.post(`/api/drills/${drillId}/answer`, { status: 'safe' })).status).toBe(404);
  });

  it('hands silent households to the 班長 at the deadline, then volunteers, then officers, across a restart', async () => {
    // D (paper) has not been confirmed. The server restarts; two instances run on.
    await server().close();
    servers = [await startTestServer(database), await startTestServer(database)];
    await loginAll(server().baseUrl);
    await timePasses('drill-deadline');
    await until(() => sql<{ state: string }>`select state from pgboss.job where name = 'drill-deadline'`.execute(database.db), (r) => r.rows[0]?.state === 'completed');
    expect(households((await client.captain2!.get(`/api/drills/${drillId}/tasks`)).body.items)).toEqual(['104']);
    expect((await client.volunteer!.get(`/api/drills/${drillId}/tasks`)).body.items).toEqual([]);

    await timePasses('drill-escalate', 'volunteers');
    await until(() => client.volunteer!.get(`/api/drills/${drillId}/tasks`), (r) => r.body.items.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a second run would have shown by now
    const events = await database.db.selectFrom('drill_events').select('what').where('drill_id', '=', drillId).orderBy('id').execute();
    expect(events.map((e) => e.what)).toEqual(['started', 'deadline', 'escalated:volunteers']);

    // The volunteer goes and finds the resident safe; officers are then not needed.
    expect((await client.volunteer!.post(`/api/drills/${drillId}/take`, { householdId: x.households.D.id })).status).toBe(200);
    expect((await client.captain2!.post(`/api/drills/${drillId}/take`, { householdId: x.households.D.id })).status).toBe(409);
    const visit = await client.volunteer!.post(`/api/drills/${drillId}/visit`, { householdId: x.households.D.id, outcome: 'safe', note: '訪問して確認' });
    expect(visit.body.answer).toMatchObject({ status: 'safe', channel: 'visit' });
    await timePasses('drill-escalate', 'officers');
    await until(() => sql<{ state: string }>`select state from pgboss.job where name = 'drill-escalate' and data->>'tier' = 'officers'`.execute(database.db), (r) => r.rows[0]?.state === 'completed');
    const d = await database.db.selectFrom('drill_targets').select('tier').where('drill_id', '=', drillId).where('household_id', '=', x.households.D.id).executeTakeFirstOrThrow();
    expect(d.tier).toBe('volunteers');

    const dashboard = await client.officer!.get(`/api/drills/${drillId}/dashboard`);
    expect(dashboard.body.counts).toEqual({ safe: 3, needsHelp: 1, injured: 0, unanswered: 0, accounted: 4, total: 4 });
    expect(dashboard.body.curve.at(-1).accounted).toBe(4);
    expect(dashboard.body.unanswered).toEqual([]);
    const captainView = await client.captain1!.get(`/api/drills/${drillId}/dashboard`);
    expect(captainView.body.counts.total).toBe(2);
  });

  it('ends once when two officers end it together, with a report that matches the answers', async () => {
    const [a, b] = await Promise.all([client.officer!.post(`/api/drills/${drillId}/end`), client.officer!.post(`/api/drills/${drillId}/end`)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const report = (a.status === 200 ? a : b).body;
    expect(report.counts).toEqual({ safe: 3, needsHelp: 1, injured: 0, unanswered: 0, accounted: 4, total: 4 });
    expect(report.byChannel).toEqual({ app: 1, speaker: 1, proxy: 1, visit: 1 });
    expect(report.secondsUntilAllAccounted).toBeGreaterThanOrEqual(0);
    expect(report.followUp.map((t: { householdNumber: string }) => t.householdNumber)).toEqual(['103']);
    expect(report.timeline.map((e: { what: string }) => e.what)).toEqual(['started', 'deadline', 'escalated:volunteers', 'escalated:officers', 'ended']);
    expect(report.byBlock.map((b: { blockName: string; accounted: number; total: number }) => [b.blockName, b.accounted, b.total])).toEqual([['1班', 2, 2], ['2班', 2, 2]]);
    expect((await client.officer!.get(`/api/drills/${drillId}/report`)).body).toEqual(report);
    expect((await client.memberA!.post(`/api/drills/${drillId}/answer`, { status: 'safe' })).status).toBe(409);

    const csv = await fetch(`${server().baseUrl}/api/drills/${drillId}/report.csv`, { headers: { cookie: client.officer!.cookie } });
    const text = (await csv.text()).replace(/^\ufeff/, '');
    expect(text.split('\r\n')[0]).toBe('班,世帯番号,世帯名,住所,状態,場所,避難先,回答時刻,回答経路,訪問結果,メモ');
    expect(text).toContain('103,鈴木家');
    expect(text).toContain('要支援');
    // Where a household was is written in words an officer reads, not the API's codes.
    const rowA = text.split('\r\n').find((line) => line.includes(`,${x.households.A.household_number},`))!;
    expect(rowA.split(',')[5]).toBe('避難所');
    expect(text).not.toMatch(/,(home|evacuated|away),/);

    // The next drill's report compares itself with this one.
    const next = await client.officer!.post('/api/drills', { kind: 'drill', title: '二回目', targetBlockIds: [x.blocks.block1.id], deadlineAt: new Date(Date.now() + 600_000).toISOString() });
    const nextReport = await client.officer!.post(`/api/drills/${next.body.id}/end`);
    expect(nextReport.body.previous).toEqual([expect.objectContaining({ id: drillId, responseRate: 1 })]);
    expect(nextReport.body.counts.unanswered).toBe(2);
  });
});

describe('the report CSV', () => {
  it("neutralises cells a resident typed, so an answer note of =1+2 is text in Excel, not a formula", async () => {
    const drill = await client.officer!.post('/api/drills', { kind: 'drill', title: '三回目', targetBlockIds: [x.blocks.block1.id], deadlineAt: new Date(Date.now() + 600_000).toISOString() });
    expect(drill.status).toBeLessThan(300);
    const answer = await client.memberA!.post(`/api/drills/${drill.body.id}/answer`, { status: 'safe', note: '=1+2' });
    expect(answer.status).toBeLessThan(300);
    expect((await client.officer!.post(`/api/drills/${drill.body.id}/end`)).status).toBe(200);

    const csv = await fetch(`${server().baseUrl}/api/drills/${drill.body.id}/report.csv`, { headers: { cookie: client.officer!.cookie } });
    const text = (await csv.text()).replace(/^\ufeff/, '');
    const row = text.split('\r\n').find((line) => line.includes('101,山田家'))!;
    // OWASP: prefixed with ' and quoted; no cell of the file starts with a formula character.
    expect(row.endsWith(`,"'=1+2"`)).toBe(true);
    expect(text).not.toMatch(/(^|,)[=+\-@＝＋－＠]/m);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { until } from './support/wait.js';
import type { TestDatabase } from './support/database.js';
import { connectDevice, type TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { startPushService } from './support/push-service.js';
import { topics } from '../devices/src/protocol.js';
import { makeDue } from './support/jobs.js';
import { loggedInClient, startSuite } from './support/suite.js';

let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let y: SeededAssociation;
let officer: ApiClient;
let memberA: ApiClient;
let memberB: ApiClient;
let captain1: ApiClient;
let pushService: Awaited<ReturnType<typeof startPushService>>;

async function jobStates(queue: string, circularId: string) {
  const rows = await sql<{ state: string }>`select state from pgboss.job where name = ${queue} and data->>'circularId' = ${circularId}`.execute(database.db);
  return rows.rows.map((r) => r.state);
}
const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();

beforeAll(async () => {
  ({ database, server, x } = await startSuite({ label: 'cx' }));
  y = await seedAssociation(database.db, 'cy');
  pushService = await startPushService();
  officer = await loggedInClient(server, x.logins.officer);
  memberA = await loggedInClient(server, x.logins.memberA);
  memberB = await loggedInClient(server, x.logins.memberB);
  captain1 = await loggedInClient(server, x.logins.captain1);
});
afterAll(async () => {
  await server?.close();
  await pushService?.close();
  await database?.drop();
});

async function publishCircular(input: Record<string, unknown>) {
  const draft = await officer.post('/api/circulars', input);
  expect(draft.status).toBe(201);
  const published = await officer.post(`/api/circulars/${draft.body.id}/publish`);
  expect(published.status).toBe(200);
  return published.body as { id: string; status: string };
}

describe('composing', () => {
  it('refuses an empty title, a question without options, a due date in the past and a foreign 班, naming the field', async () => {
    const empty = await officer.post('/api/circulars', { title: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.field).toBe('title');
    const noOptions = await officer.post('/api/circulars', { title: 'アンケート', question: { type: 'single', prompt: 'どれ?', options: [] } });
    expect(noOptions.body.error.field).toBe('question.options');
    const foreign = await officer.post('/api/circulars', { title: 'x', targetBlockIds: [y.blocks.block1.id] });
    expect(foreign.body.error.field).toBe('targetBlockIds');
    const past = await officer.post('/api/circulars', { title: '期限切れ', dueAt: new Date(Date.now() - 60_000).toISOString() });
    expect(past.status).toBe(201);
    const publish = await officer.post(`/api/circulars/${past.body.id}/publish`);
    expect(publish.status).toBe(400);
    expect(publish.body.error.field).toBe('dueAt');
    expect((await officer.get(`/api/circulars/${past.body.id}`)).body.status).toBe('draft');
  });

  it('only officers compose', async () => {
    expect((await memberA.post('/api/circulars', { title: '勝手に' })).status).toBe(403);
    expect((await captain1.post('/api/circulars', { title: '勝手に' })).status).toBe(403);
  });

  it('checks attachments by their content and size', async () => {
    const draft = await officer.post('/api/circulars', { title: '添付テスト' });
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(200, 0x20), Buffer.from('\n%%EOF\n')]);
    const ok = await officer.request('POST', `/api/circulars/${draft.body.id}/attachments?filename=${encodeURIComponent('お知らせ.pdf')}`, pdf, { 'content-type': 'application/pdf' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ filename: 'お知らせ.pdf', contentType: 'application/pdf' });
    const fake = await officer.request('POST', `/api/circulars/${draft.body.id}/attachments?filename=photo.png`, Buffer.from('<script>alert(1)</script>'), { 'content-type': 'image/png' });
    expect(fake.status).toBe(400);
    expect(fake.body.error.message).toMatch(/PDF or an image/);
    const huge = await officer.request('POST', `/api/circulars/${draft.body.id}/attachments?filename=big.pdf`, Buffer.alloc(11 * 1024 * 1024), { 'content-type': 'application/pdf' });
    expect(huge.status).toBe(413);
    // Households it did not reach cannot download it, even with the URL.
    await officer.post(`/api/circulars/${draft.body.id}/publish`);
    const url = ok.body.url as string;
    expect((await memberA.get(url)).status).toBe(200);
    const outsider = new ApiClient(server.baseUrl);
    await outsider.login(y.logins.memberA, PASSWORD);
    expect((await outsider.get(url)).status).toBe(404);
  });
});

describe('publishing and acknowledging', () => {
  it('writes one delivery record per household in scope, and only those', async () => {
    const all = await publishCircular({ title: '全体へのお知らせ', bodyMarkdown: '**重要**' });
    const block2 = await publishCircular({ title: '2班だけ', targetBlockIds: [x.blocks.block2.id] });
    const recipients = async (id: string) =>
      (await database.db.selectFrom('circular_recipients').select('household_id').where('circular_id', '=', id).execute()).map((r) => r.household_id).sort();
    expect(await recipients(all.id)).toEqual(Object.values(x.households).map((h) => h.id).sort());
    expect(await recipients(block2.id)).toEqual([x.households.B.id, x.households.D.id].sort());
    // Household A (班1) sees the first, not the second, and gets 404 acknowledging it.
    const list = await memberA.get('/api/circulars');
    expect(list.body.items.map((c: { title: string }) => c.title)).toContain('全体へのお知らせ');
    expect(list.body.items.map((c: { title: string }) => c.title)).not.toContain('2班だけ');
    const notMine = await memberA.post(`/api/circulars/${block2.id}/acknowledge`);
    expect(notMine.status).toBe(404);
    expect((await database.db.selectFrom('circular_recipients').select('acknowledged_at').where('circular_id', '=', block2.id).where('acknowledged_at', 'is not', null).execute())).toEqual([]);
  });

  it('keeps the first acknowledgement: who, when and by which channel', async () => {
    const circular = await publishCircular({ title: 'ごみ収集日の変更', category: 'garbage' });
    const first = await memberA.post(`/api/circulars/${circular.id}/acknowledge`);
    expect(first.body).toMatchObject({ channel: 'app', first: true });
    const again = await memberA.post(`/api/circulars/${circular.id}/acknowledge`);
    expect(again.body).toMatchObject({ channel: 'app', first: false, acknowledgedAt: first.body.acknowledgedAt });
    const row = await database.db.selectFrom('circular_recipients').selectAll().where('circular_id', '=', circular.id).where('household_id', '=', x.households.A.id).executeTakeFirstOrThrow();
    expect(row.acknowledged_by).toBe(x.people.memberA.id);
    expect(row.acknowledged_channel).toBe('app');
  });

  it('reads aloud on the household speaker, and a button press acknowledges with channel speaker', async () => {
    const registered = await officer.post('/api/devices', { label: '鈴木家スピーカー', householdId: x.households.C.id });
    const { credentials, device } = registered.body;
    const speaker = await connectDevice(server.deviceMqttUrl, credentials);
    await speaker.subscribeAsync(`${credentials.topicPrefix}/down/#`, { qos: 1 });
    // Earlier circulars reach this household too: collect everything spoken, then look for this one.
    const spoken: { id: string; text: string; acknowledgeable: boolean }[] = [];
    speaker.on('message', (topic, payload) => topic.endsWith('/down/speak') && spoken.push(JSON.parse(payload.toString())));
    const circular = await publishCircular({ title: '防災訓練のお知らせ', category: 'disaster', bodyMarkdown: '11月30日 **9時** 集合' });
    const message = (await until(async () => spoken.find((m) => m.id === circular.id), (m) => !!m))!;
    expect(message).toMatchObject({ id: circular.id, acknowledgeable: true });
    expect(message.text).toContain('防災訓練のお知らせ');
    expect(message.text).toContain('11月30日 9時 集合');
    expect(message.text).not.toContain('**');

    const ack = JSON.stringify({ bootId: 'b1', seq: 1, ts: new Date().toISOString(), messageId: circular.id });
    await speaker.publishAsync(topics.uplink(x.association.id, device.id, 'ack'), ack, { qos: 1 });
    await speaker.publishAsync(topics.uplink(x.association.id, device.id, 'ack'), ack, { qos: 1 }); // redelivered
    const progress = await until(() => officer.get(`/api/circulars/${circular.id}/progress`), (r) => r.body.byChannel.speaker === 1);
    expect(progress.body.byChannel).toEqual({ app: 0, speaker: 1, paper: 0 });
    await speaker.endAsync();
  });

  it('a 班長 records paper sign-offs for their own 班 only, and nothing when any household is not theirs', async () => {
    const circular = await publishCircular({ title: '回覧: 夏祭り' });
    const foreign = await captain1.post(`/api/circulars/${circular.id}/paper-signoffs`, { householdIds: [x.households.C.id, x.households.D.id] });
    expect(foreign.status).toBe(404);
    expect((await officer.get(`/api/circulars/${circular.id}/progress`)).body.acknowledged).toBe(0);
    const own = await captain1.post(`/api/circulars/${circular.id}/paper-signoffs`, { householdIds: [x.households.C.id] });
    expect(own.body).toEqual({ recorded: 1, alreadyAcknowledged: 0 });
    const unread = await captain1.get(`/api/circulars/${circular.id}/unread`);
    expect(unread.body.items.map((h: { householdNumber: string }) => h.householdNumber)).toEqual(['101']);
    expect(unread.body.items[0].members[0].name).toBe('山田 花子');
    const sheet = await captain1.get(`/api/circulars/${circular.id}/print?blockId=${x.blocks.block1.id}`);
    expect(sheet.body.households).toEqual([{ householdNumber: '103', householdName: '鈴木家', acknowledgedAt: expect.any(String), reasons: ['paper_channel'] }]);
    expect((await captain1.get(`/api/circulars/${circular.id}/print?blockId=${x.blocks.block2.id}`)).status).toBe(404);
  });
});

describe('questions, answers and progress', () => {
  it('keeps every answer in the history, tallies the current ones per option and per 班', async () => {
    const circular = await publishCircular({
      title: '清掃活動の出欠',
      dueAt: inFuture(3_600_000),
      question: { type: 'attendance', prompt: '参加されますか', maxHeadcount: 5 },
    });
    const wrongType = await memberA.put(`/api/circulars/${circular.id}/answer`, { answer: { type: 'yes_no', yes: true } });
    expect(wrongType.status).toBe(400);
    const tooMany = await memberA.put(`/api/circulars/${circular.id}/answer`, { answer: { type: 'attendance', attending: true, headcount: 9 } });
    expect(tooMany.body.error.field).toBe('answer.headcount');
    await memberA.put(`/api/circulars/${circular.id}/answer`, { answer: { type: 'attendance', attending: true, headcount: 2 } });
    const changed = await memberA.put(`/api/circulars/${circular.id}/answer`, { answer: { type: 'attendance', attending: true, headcount: 3 } });
    expect(changed.body.household.answer).toEqual({ type: 'attendance', attending: true, headcount: 3 });
    await memberB.put(`/api/circulars/${circular.id}/answer`, { answer: { type: 'attendance', attending: false, headcount: 0 } });

    const history = await database.db.selectFrom('circular_answers').select('answer').where('circular_id', '=', circular.id).where('household_id', '=', x.households.A.id).orderBy('answered_at').execute();
    expect(history.map((h) => (h.answer as { headcount: number }).headcount)).toEqual([2, 3]);

    const progress = await officer.get(`/api/circulars/${circular.id}/progress`);
    expect(progress.body).toMatchObject({ total: 4, acknowledged: 2, answered: 2, tallies: { counts: [1, 1], headcount: 3 } });
    expect(progress.body.byBlock.map((b: { blockName: string; acknowledged: number; total: number }) => [b.blockName, b.acknowledged, b.total])).toEqual([['1班', 1, 2], ['2班', 1, 2]]);
    // A captain's progress covers only their 班.
    const captainView = await captain1.get(`/api/circulars/${circular.id}/progress`);
    expect(captainView.body).toMatchObject({ total: 2, acknowledged: 1 });
    expect((await memberA.get(`/api/circulars/${circular.id}/progress`)).status).toBe(403);
  });

  it('tallies multiple choice per option', async () => {
    const circular = await publishCircular({ title: '希望する行事', question: { type: 'multiple', prompt: 'どれに参加?', options: ['餅つき', '清掃', '防災訓練'] } });
    await memberA.put(`/api/circulars/${circular.id}/answer`, { answer: { type: 'multiple', options: [0, 2] } });
    await memberB.put(`/api/circulars/${circular.id}/answer`, { answer: { type: 'multiple', options: [2] } });
    expect((await memberB.put(`/api/circulars/${circular.id}/answer`, { answer: { type: 'multiple', options: [7] } })).status).toBe(400);
    expect((await officer.get(`/api/circulars/${circular.id}/progress`)).body.tallies.counts).toEqual([1, 0, 2]);
  });
});

describe('language, correction, withdrawal and search', () => {
  it('shows each member the version in their language', async () => {
    const circular = await publishCircular({
      title: '断水のお知らせ',
      bodyMarkdown: '12月1日に断水します。',
      easyJapanese: { title: 'みずが でません', bodyMarkdown: '12がつ1にち みずが でません。' },
      english: { title: 'Water outage', bodyMarkdown: 'No water on 1 December.' },
    });
    await memberB.patch('/api/me', { preferredLanguage: 'en' });
    const english = await memberB.get(`/api/circulars/${circular.id}`);
    expect(english.body.display).toMatchObject({ language: 'en', title: 'Water outage' });
    expect(english.body.display.bodyHtml).toContain('No water on 1 December.');
    await memberB.patch('/api/me', { preferredLanguage: 'ja-easy' });
    expect((await memberB.get(`/api/circulars/${circular.id}`)).body.display.title).toBe('みずが でません');
    expect((await memberA.get(`/api/circulars/${circular.id}`)).body.display.title).toBe('断水のお知らせ');
    await memberB.patch('/api/me', { preferredLanguage: 'ja' });
  });

  it('shows a correction as such, and a withdrawn circular cannot be acknowledged', async () => {
    const circular = await publishCircular({ title: '会議は10日', bodyMarkdown: '会議は10日です。' });
    const corrected = await officer.post(`/api/circulars/${circular.id}/correct`, { title: '会議は12日', bodyMarkdown: '会議は12日です。', note: '日付を訂正しました' });
    expect(corrected.body).toMatchObject({ title: '会議は12日', corrected: true, correction: { note: '日付を訂正しました' } });
    expect((await memberA.get(`/api/circulars/${circular.id}`)).body.display.bodyHtml).toContain('12日');
    expect((await officer.patch(`/api/circulars/${circular.id}`, { title: 'こっそり' })).status).toBe(409);
    const withdrawn = await officer.post(`/api/circulars/${circular.id}/withdraw`, { reason: '中止になりました' });
    expect(withdrawn.body.status).toBe('withdrawn');
    expect((await memberA.post(`/api/circulars/${circular.id}/acknowledge`)).status).toBe(409);
  });

  it('finds circulars by Japanese words without spaces', async () => {
    await publishCircular({ title: '秋の交通安全運動', bodyMarkdown: '子どもの見守りにご協力ください。' });
    const byBody = await memberA.get(`/api/circulars?q=${encodeURIComponent('見守り')}`);
    expect(byBody.body.items.map((c: { title: string }) => c.title)).toEqual(['秋の交通安全運動']);
    const byTitle = await officer.get(`/api/circulars?q=${encodeURIComponent('交通安全')}`);
    expect(byTitle.body.items.map((c: { title: string }) => c.title)).toEqual(['秋の交通安全運動']);
    const plan = await sql<{ 'QUERY PLAN': string }>`explain select id from circulars where title || ' ' || plain_text ilike ${'%交通安全運動%'}`.execute(database.db);
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/circulars_search_idx|Seq Scan/);
  });
});

describe('reminders, overdue and Web Push', () => {
  it('pushes to subscribed browsers, drops subscriptions the push service says are gone, and retries failures', async () => {
    const live = pushService.subscription('member-a-phone');
    const gone = pushService.subscription('member-b-old-phone', 410);
    const failing = pushService.subscription('captain-1-phone', 500);
    expect((await memberA.post('/api/push/subscriptions', live)).status).toBe(201);
    expect((await memberB.post('/api/push/subscriptions', gone)).status).toBe(201);
    expect((await captain1.post('/api/push/subscriptions', failing)).status).toBe(201);
    expect((await memberA.post('/api/push/subscriptions', { endpoint: 'not a url', keys: { p256dh: 'x', auth: 'y' } })).body.error.field).toBe('endpoint');
    await publishCircular({ title: '回覧: 町内清掃' });
    await until(async () => pushService.received.filter((r) => r.path === '/push/member-b-old-phone').length, (n) => n > 0);
    const toA = await until(async () => pushService.received.filter((r) => r.path === '/push/member-a-phone'), (r) => r.length > 0);
    expect(toA[0]!.headers.authorization).toMatch(/^vapid t=/);
    expect(toA[0]!.headers['content-encoding']).toBe('aes128gcm');
    expect(toA[0]!.bytes).toBeGreaterThan(0);
    const remaining = await until(
      () => database.db.selectFrom('push_subscriptions').select('endpoint').orderBy('endpoint').execute(),
      (rows) => rows.length === 2,
    );
    expect(remaining.map((r) => r.endpoint)).toEqual([failing.endpoint, live.endpoint]);
    // The failing one is kept and retried later by a durable job.
    const retries = await until(
      async () => (await sql<{ n: number }>`select count(*)::int as n from pgboss.job where name = 'push-send'`.execute(database.db)).rows[0]!.n,
      (n) => n > 0,
    );
    expect(retries).toBeGreaterThan(0);
    await database.db.deleteFrom('push_subscriptions').where('endpoint', '=', failing.endpoint).execute();
  });

  it('schedules reminders before the due date, and a reminder reaches only the unread', async () => {
    const circular = await publishCircular({ title: '会費納入のお願い', dueAt: inFuture(3 * 86_400_000), reminderHoursBeforeDue: [24, 48] });
    const jobs = await sql<{ start_after: Date; singleton_key: string }>`select start_after, singleton_key from pgboss.job where name = 'circular-reminder' and data->>'circularId' = ${circular.id} order by start_after`.execute(database.db);
    const due = Date.parse((await officer.get(`/api/circulars/${circular.id}`)).body.dueAt);
    expect(jobs.rows.map((j) => Math.round((due - j.start_after.getTime()) / 3_600_000))).toEqual([48, 24]);

    await memberA.post(`/api/circulars/${circular.id}/acknowledge`);
    await until(() => jobStates('circular-deliver', circular.id), (states) => states.join() === 'completed');
    const before = pushService.received.filter((r) => r.path === '/push/member-a-phone').length;
    // Fire the reminder job now, as pg-boss will at its time.
    await makeDue(database.db, 'circular-reminder', { circularId: circular.id });
    const reminded = await until(
      () => database.db.selectFrom('circular_recipients').select(['household_id', 'reminders_sent']).where('circular_id', '=', circular.id).execute(),
      (rows) => rows.some((r) => r.reminders_sent === 2),
    );
    expect(reminded.find((r) => r.household_id === x.households.A.id)!.reminders_sent).toBe(0);
    expect(reminded.find((r) => r.household_id === x.households.B.id)!.reminders_sent).toBe(2);
    expect(pushService.received.filter((r) => r.path === '/push/member-a-phone').length).toBe(before);
  });

  it('at the due date, unread households become tasks on their 班長\'s list; a late acknowledgement closes its task', async () => {
    const circular = await publishCircular({ title: '赤い羽根募金', dueAt: inFuture(2_000) });
    await memberB.post(`/api/circulars/${circular.id}/acknowledge`);
    const tasks = await until(
      () => captain1.get('/api/tasks'),
      (r) => r.body.items.filter((t: { circular: { id: string } }) => t.circular?.id === circular.id).length > 0,
    );
    const mine = tasks.body.items.filter((t: { circular: { id: string } }) => t.circular?.id === circular.id);
    expect(mine.map((t: { household: { householdNumber: string } }) => t.household.householdNumber).sort()).toEqual(['101', '103']);
    const officerTasks = await officer.get('/api/tasks');
    expect(officerTasks.body.items.filter((t: { circular: { id: string } }) => t.circular?.id === circular.id)).toHaveLength(3); // A, C, D; B read it
    await memberA.post(`/api/circulars/${circular.id}/acknowledge`);
    const after = await captain1.get('/api/tasks');
    expect(after.body.items.filter((t: { circular: { id: string } }) => t.circular?.id === circular.id).map((t: { household: { householdNumber: string } }) => t.household.householdNumber)).toEqual(['103']);
    const task = after.body.items.find((t: { circular: { id: string } }) => t.circular?.id === circular.id);
    const resolved = await captain1.post(`/api/tasks/${task.id}/resolve`, { note: '紙で回覧済み' });
    expect(resolved.body.status).toBe('done');
    expect((await memberA.get('/api/tasks')).status).toBe(403);
  });
});

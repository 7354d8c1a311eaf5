import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import type { ApiClient } from './support/http-client.js';
import { seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { loggedInClient, startSuite, stopSuite } from './support/suite.js';
import { until } from './support/wait.js';

/**
 * The 班長's phone list over HTTP. Association X: 班1 has 山田家 (101, two members, a help
 * alert), 鈴木家 (103, lives alone) and 中村家 (105, two members); 班2 has 佐藤家 (102) and
 * 高橋家 (104, paper only: on its 班長's visit list as soon as a drill starts). Two circulars
 * are overdue and unread everywhere.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let y: SeededAssociation;
let officer: ApiClient;
let captain1: ApiClient;
let captain2: ApiClient;
let memberA: ApiClient;
let householdE: string;
const circulars: string[] = [];

type Card = { householdId: string; householdNumber: string; risk: string[]; members: { phone: string | null }[]; pending: { kind: string; circularId?: string; title?: string }[] };
const numbers = (items: Card[]) => items.map((c) => c.householdNumber);
const list = async (client: ApiClient, query = '') => {
  const response = await client.get(`/api/tasks/captain-list${query}`);
  expect(response.status).toBe(200);
  return response.body as { items: Card[]; circulars: { id: string; title: string; households: number }[] };
};

beforeAll(async () => {
  ({ database, server, x } = await startSuite({ label: 'cl' }));
  y = await seedAssociation(database.db, 'cly');
  const db = database.db;
  const e = await db
    .insertInto('households')
    .values({ association_id: x.association.id, block_id: x.blocks.block1.id, household_number: '105', name: '中村家', address: '京田辺市 105', channels: ['app'] })
    .returning('id')
    .executeTakeFirstOrThrow();
  householdE = e.id;
  await db.insertInto('people').values([
    { association_id: x.association.id, household_id: x.households.A.id, name: '山田 一郎', phone: '09012345678' },
    { association_id: x.association.id, household_id: householdE, name: '中村 花子' },
    { association_id: x.association.id, household_id: householdE, name: '中村 太郎' },
  ]).execute();
  await db.insertInto('watch_settings').values({ household_id: x.households.A.id, association_id: x.association.id }).execute();
  await db.insertInto('watch_alerts').values({ association_id: x.association.id, household_id: x.households.A.id, kind: 'help', tier: 'family_captain' }).execute();

  officer = await loggedInClient(server, x.logins.officer);
  captain1 = await loggedInClient(server, x.logins.captain1);
  captain2 = await loggedInClient(server, x.logins.captain2);
  memberA = await loggedInClient(server, x.logins.memberA);
  for (const title of ['赤い羽根募金', '一斉清掃']) {
    const draft = await officer.post('/api/circulars', { title, dueAt: new Date(Date.now() + 4_000).toISOString() });
    expect(draft.status).toBe(201);
    expect((await officer.post(`/api/circulars/${draft.body.id}/publish`)).status).toBe(200);
    circulars.push(draft.body.id);
  }
  // The overdue jobs: a task per unread household per circular (5 homes × 2).
  const tasks = await until(() => officer.get('/api/tasks'), (r) => r.body.items.length >= 10, 20_000);
  expect(tasks.body.items).toHaveLength(10);
  const drill = await officer.post('/api/drills', { kind: 'drill', title: '班長リストの訓練', deadlineAt: new Date(Date.now() + 3600_000).toISOString() });
  expect(drill.status).toBe(201);
});
afterAll(() => stopSuite({ server, database }));

describe("the 班長's phone list", () => {
  it('groups: one entry per household with every pending item (alert, drill visit, both circulars)', async () => {
    const mine = await list(captain1);
    expect(numbers(mine.items)).toHaveLength(3);
    const a = mine.items.find((c) => c.householdNumber === '101')!;
    expect(a.pending.map((p) => p.kind)).toEqual(['watch_alert', 'circular', 'circular']);
    expect(a.members.map((m) => m.phone)).toContain('09012345678');
    for (const card of mine.items) expect(card.pending.filter((p) => p.kind === 'circular').map((p) => p.circularId).sort()).toEqual([...circulars].sort());
    expect(mine.circulars.map((c) => [c.title, c.households])).toEqual([['赤い羽根募金', 3], ['一斉清掃', 3]]);

    const theirs = await list(captain2);
    const d = theirs.items.find((c) => c.householdNumber === '104')!;
    expect(d.pending.map((p) => p.kind)).toEqual(['drill_visit', 'circular', 'circular']);
    expect(d.risk).toEqual(['lives_alone', 'paper_only']);
  });

  it('orders riskiest first: a visit or an alert before circulars, then risk flags (lives alone), then the rest', async () => {
    // 105 (中村家: an app home where nobody has a login) is on the drill's visit list from the start.
    expect(numbers((await list(captain1)).items)).toEqual(['101', '105', '103']);
    expect(numbers((await list(captain2)).items)).toEqual(['104', '102']);
    // 101's 「助けて」 comes before 104's drill visit, though 104 lives alone and is paper only.
    const all = await list(officer);
    expect(numbers(all.items)).toEqual(['101', '104', '105', '103', '102']);
  });

  it('puts a 「助けて」 press above a silent speaker of a riskier home, and a silent speaker above drill visits', async () => {
    // 103 (鈴木家) lives alone: with the old order (alerts alike, then risk flags) its silence came first.
    await database.db.insertInto('watch_settings').values({ household_id: x.households.C.id, association_id: x.association.id }).execute();
    const silent = await database.db
      .insertInto('watch_alerts')
      .values({ association_id: x.association.id, household_id: x.households.C.id, kind: 'silent', tier: 'family_captain', raised_at: new Date(Date.now() - 3600_000) })
      .returning('id')
      .executeTakeFirstOrThrow();
    try {
      const mine = await list(captain1);
      expect(numbers(mine.items)).toEqual(['101', '103', '105']);
      expect(mine.items[1]!.pending.map((p) => p.kind)).toEqual(['watch_alert', 'circular', 'circular']);
      expect(numbers((await list(officer)).items)).toEqual(['101', '103', '104', '105', '102']);
    } finally {
      await database.db.deleteFrom('watch_alerts').where('id', '=', silent.id).execute();
      await database.db.deleteFrom('watch_settings').where('household_id', '=', x.households.C.id).execute();
    }
  });

  it("is scoped to the 班: another 班's households never appear; a 班 filter only for officers", async () => {
    const mine = JSON.stringify(await list(captain1));
    for (const h of [x.households.B, x.households.D]) expect(mine).not.toContain(h.id);
    expect(mine).not.toContain('佐藤家');
    expect((await captain1.get(`/api/tasks/captain-list?blockId=${x.blocks.block2.id}`)).status).toBe(404);
    expect(numbers((await list(officer, `?blockId=${x.blocks.block2.id}`)).items)).toEqual(['104', '102']);
    expect((await officer.get(`/api/tasks/captain-list?blockId=${y.blocks.block1.id}`)).status).toBe(404);
    expect((await memberA.get('/api/tasks/captain-list')).status).toBe(403);
    expect((await captain1.get('/api/tasks/captain-list?blockId=nope')).body.error.field).toBe('blockId');
  });
});

describe('bulk paper sign-off', () => {
  const recipients = () =>
    database.db.selectFrom('circular_recipients').select(['household_id', 'acknowledged_at', 'acknowledged_channel']).where('circular_id', '=', circulars[0]!).execute();
  const openTasks = () => database.db.selectFrom('captain_tasks').select('household_id').where('circular_id', '=', circulars[0]!).where('status', '=', 'open').execute();

  it('refuses a household of another 班 and writes nothing, even for the 班長’s own homes in the same request', async () => {
    const refused = await captain1.post('/api/tasks/captain-list/paper-signoffs', { circularId: circulars[0], householdIds: [x.households.A.id, x.households.B.id] });
    expect(refused.status).toBe(404);
    const foreign = await captain1.post('/api/tasks/captain-list/paper-signoffs', { circularId: circulars[0], householdIds: [y.households.A.id] });
    expect(foreign.status).toBe(404);
    expect((await recipients()).filter((r) => r.acknowledged_at)).toEqual([]);
    expect(await openTasks()).toHaveLength(5);
    expect((await memberA.post('/api/tasks/captain-list/paper-signoffs', { circularId: circulars[0], all: true })).status).toBe(403);
    const neither = await captain1.post('/api/tasks/captain-list/paper-signoffs', { circularId: circulars[0] });
    expect(neither.status).toBe(400);
    expect(neither.body.error.field).toBe('householdIds');
  });

  it('"all on this list" records every home of the 班 acknowledged by paper once; a repeat adds nothing', async () => {
    const done = await captain1.post('/api/tasks/captain-list/paper-signoffs', { circularId: circulars[0], all: true });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ recorded: 3, alreadyAcknowledged: 0 });
    const first = await recipients();
    const mineIds = [x.households.A.id, x.households.C.id, householdE];
    expect(first.filter((r) => r.acknowledged_at).map((r) => r.household_id).sort()).toEqual([...mineIds].sort());
    expect(new Set(first.filter((r) => r.acknowledged_at).map((r) => r.acknowledged_channel))).toEqual(new Set(['paper']));
    // 班2's homes stay open: "all" is the 班長's list, not the circular's.
    expect((await openTasks()).map((t) => t.household_id).sort()).toEqual([x.households.B.id, x.households.D.id].sort());

    const again = await captain1.post('/api/tasks/captain-list/paper-signoffs', { circularId: circulars[0], householdIds: mineIds });
    expect(again.body).toEqual({ recorded: 0, alreadyAcknowledged: 3 });
    const second = await recipients();
    expect(second).toHaveLength(5);
    for (const row of first) expect(second.find((r) => r.household_id === row.household_id)!.acknowledged_at?.toISOString()).toBe(row.acknowledged_at?.toISOString());
    const closed = await database.db.selectFrom('captain_tasks').select('id').where('circular_id', '=', circulars[0]!).where('status', '=', 'done').execute();
    expect(closed).toHaveLength(3);

    // The list now carries only the other circular for 班1.
    const mine = await list(captain1);
    expect(mine.circulars.map((c) => c.id)).toEqual([circulars[1]]);
    for (const card of mine.items) expect(card.pending.some((p) => p.circularId === circulars[0])).toBe(false);
  });

  it("an officer records one 班 with the 班 filter: only that 班's homes", async () => {
    const done = await officer.post('/api/tasks/captain-list/paper-signoffs', { circularId: circulars[0], all: true, blockId: x.blocks.block2.id });
    expect(done.body).toEqual({ recorded: 2, alreadyAcknowledged: 0 });
    expect((await recipients()).every((r) => r.acknowledged_channel === 'paper')).toBe(true);
    expect(await openTasks()).toEqual([]);
    expect((await list(officer)).circulars.map((c) => c.id)).toEqual([circulars[1]]);
  });

  it('the old task routes still work beside it', async () => {
    const tasks = await captain1.get('/api/tasks');
    expect(tasks.status).toBe(200);
    expect(tasks.body.items.map((t: { circular: { id: string } }) => t.circular.id)).toEqual([circulars[1], circulars[1], circulars[1]]);
  });
});

describe('risk flags: one rule for the phone list and the drill', () => {
  it("a card's flags are its drill target's; family living elsewhere do not make a home not alone", async () => {
    const cards = (await list(officer)).items;
    const targets = await database.db.selectFrom('drill_targets').select(['household_id', 'risk']).where('association_id', '=', x.association.id).execute();
    for (const card of cards) expect(card.risk).toEqual(targets.find((t) => t.household_id === card.householdId)!.risk);
    const suzuki = cards.find((c) => c.householdNumber === '103')!;
    expect(suzuki.risk).toEqual(['lives_alone']);
    // A daughter living elsewhere joins 鈴木家: it still lives alone; a second resident does not.
    await database.db.insertInto('people').values({ association_id: x.association.id, household_id: suzuki.householdId, name: '鈴木 娘', lives_elsewhere: true }).execute();
    expect((await list(officer)).items.find((c) => c.householdNumber === '103')!.risk).toEqual(['lives_alone']);
    await database.db.insertInto('people').values({ association_id: x.association.id, household_id: suzuki.householdId, name: '鈴木 夫' }).execute();
    expect((await list(officer)).items.find((c) => c.householdNumber === '103')!.risk).toEqual([]);
  });
});

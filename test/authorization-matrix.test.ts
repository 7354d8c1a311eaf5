import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { createDrill } from './support/factories/drills.js';

/**
 * Who sees what, as a matrix over real HTTP: two associations X and Y, each with two 班.
 * A row is a person; a column is a thing they ask for; the cell is the status they get.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let y: SeededAssociation;
const clients: Record<string, ApiClient> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer(database);
  x = await seedAssociation(database.db, 'x');
  y = await seedAssociation(database.db, 'y');
  for (const [name, identifier] of Object.entries(x.logins)) {
    clients[name] = new ApiClient(server.baseUrl);
    await clients[name]!.login(identifier, PASSWORD);
  }
  clients.officerY = new ApiClient(server.baseUrl);
  await clients.officerY.login(y.logins.officer, PASSWORD);
});

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

describe('reading a household', () => {
  // household A is in 班1 of X, B in 班2 of X.
  const cases: [string, 'A' | 'B' | 'yA', number][] = [
    ['officer', 'A', 200], ['officer', 'B', 200], ['officer', 'yA', 404],
    ['captain1', 'A', 200], ['captain1', 'B', 404], ['captain1', 'yA', 404],
    ['captain2', 'A', 404], ['captain2', 'B', 200],
    ['memberA', 'A', 200], ['memberA', 'B', 404],
    ['memberB', 'A', 404], ['memberB', 'B', 200],
    ['watcherA', 'A', 200], ['watcherA', 'B', 404],
    ['volunteer', 'A', 404], ['volunteer', 'B', 404],
    ['officerY', 'A', 404], ['officerY', 'yA', 200],
  ];
  it.each(cases)('%s reading household %s gets %i', async (who, target, status) => {
    const id = target === 'yA' ? y.households.A.id : x.households[target].id;
    const response = await clients[who]!.get(`/api/households/${id}`);
    expect(response.status).toBe(status);
    if (status === 404) expect(JSON.stringify(response.body)).not.toContain('山田家');
  });
});

describe('listing households', () => {
  const visible: [string, string[]][] = [
    ['officer', ['101', '102', '103', '104']],
    ['captain1', ['101', '103']],
    ['captain2', ['102', '104']],
    ['memberA', ['101']],
    ['memberB', ['102']],
    ['watcherA', ['101']],
    ['volunteer', []],
    ['officerY', ['101', '102', '103', '104']],
  ];
  it.each(visible)('%s sees exactly %j', async (who, numbers) => {
    const response = await clients[who]!.get('/api/households');
    expect(response.status).toBe(200);
    expect(response.body.items.map((h: { householdNumber: string }) => h.householdNumber).sort()).toEqual(numbers);
    // Association Y's households carry Y's ids: none may appear for X's people.
    const ids = response.body.items.map((h: { id: string }) => h.id);
    const foreign = who === 'officerY' ? Object.values(x.households) : Object.values(y.households);
    for (const h of foreign) expect(ids).not.toContain(h.id);
  });

  it('a captain cannot widen the list by asking for another 班', async () => {
    const response = await clients.captain1!.get(`/api/households?blockId=${x.blocks.block2.id}`);
    expect(response.body.items).toEqual([]);
  });
});

describe('officer-only actions', () => {
  const nonOfficers = ['captain1', 'memberA', 'volunteer', 'watcherA'];
  it.each(nonOfficers)('%s cannot import a roster, export it, list people, issue passcodes or manage devices', async (who) => {
    const client = clients[who]!;
    expect((await client.request('POST', '/api/roster/import', Buffer.from('世帯番号,氏名\n1,a\n'))).status).toBe(403);
    expect((await client.get('/api/roster/export')).status).toBe(403);
    expect((await client.get('/api/people')).status).toBe(403);
    expect((await client.post('/api/passcodes', { blockId: x.blocks.block1.id })).status).toBe(403);
    expect((await client.get('/api/devices')).status).toBe(403);
    expect((await client.post('/api/devices', { label: 'speaker' })).status).toBe(403);
  });

  it("an officer of Y cannot touch X's 班, households or people", async () => {
    const officerY = clients.officerY!;
    expect((await officerY.patch(`/api/households/${x.households.A.id}`, { name: '乗っ取り' })).status).toBe(404);
    expect((await officerY.put(`/api/blocks/${x.blocks.block1.id}/captains`, { personIds: [] })).status).toBe(404);
    expect((await officerY.patch(`/api/people/${x.people.memberA.id}`, { name: '乗っ取り' })).status).toBe(404);
    expect((await officerY.post('/api/passcodes', { blockId: x.blocks.block1.id })).status).toBe(400);
    expect((await officerY.post('/api/devices', { label: 'x', householdId: x.households.A.id })).status).toBe(400);
    const stillThere = await clients.officer!.get(`/api/households/${x.households.A.id}`);
    expect(stillThere.body.name).toBe('山田家');
  });

  it('a household edits its own notes but not another household, nor its own 班', async () => {
    const memberA = clients.memberA!;
    const own = await memberA.patch(`/api/households/${x.households.A.id}`, { responderNotes: '足が不自由' });
    expect(own.status).toBe(200);
    expect(own.body.responderNotes).toBe('足が不自由');
    expect((await memberA.patch(`/api/households/${x.households.B.id}`, { responderNotes: 'x' })).status).toBe(404);
    expect((await memberA.patch(`/api/households/${x.households.A.id}`, { blockId: x.blocks.block2.id })).status).toBe(403);
  });

  it('only officers ask for a readiness preflight, and only over their own 班', async () => {
    const scope = { blockIds: [x.blocks.block2.id] };
    expect((await clients.officer!.post('/api/readiness/preflight', scope)).status).toBe(200);
    for (const who of ['captain1', 'captain2', 'memberA', 'volunteer', 'watcherA']) expect((await clients[who]!.post('/api/readiness/preflight', scope)).status).toBe(403);
    const foreign = await clients.officerY!.post('/api/readiness/preflight', scope);
    expect(foreign.status).toBe(400);
    expect(foreign.text).not.toContain('佐藤家');
  });

  // A password reset code acts with the person's rights: officers only (re-entering their own
  // password, which every client here knows), each for their own association's people
  // (another's is a 404, like a person who does not exist). Issuing ends no session, so the
  // clients above stay logged in.
  const resetIssuers: [who: string, status: number][] = [
    ['officer', 200], ['officerY', 404], ...['captain1', 'captain2', 'memberA', 'memberB', 'watcherA', 'volunteer'].map((who): [string, number] => [who, 403]),
  ];
  it.each(resetIssuers)("%s → POST /api/people/:id/password-reset-code (X's member B): %i", async (who, status) => {
    const before = await database.db.selectFrom('password_reset_codes').select('id').where('person_id', '=', x.people.memberB.id).execute();
    const response = await clients[who]!.post(`/api/people/${x.people.memberB.id}/password-reset-code`, { password: PASSWORD });
    expect(response.status).toBe(status);
    const after = await database.db.selectFrom('password_reset_codes').select('id').where('person_id', '=', x.people.memberB.id).execute();
    expect(after.length).toBe(before.length + (status === 200 ? 1 : 0));
    if (status !== 200) expect(response.text).not.toContain('佐藤 太郎');
  });
  it.each([...resetIssuers.map(([who]) => who), 'anonymous'])('%s → POST /api/password-reset with a wrong code: 400 naming code', async (who) => {
    const client = who === 'anonymous' ? new ApiClient(server.baseUrl) : clients[who]!;
    const response = await client.post('/api/password-reset', { code: 'ZZZZ2222', newPassword: 'matrix-password' });
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe('code');
  });

  it('a captain sees only their own 班 in the block list', async () => {
    const response = await clients.captain1!.get('/api/blocks');
    expect(response.body.items.map((b: { name: string }) => b.name)).toEqual(['1班']);
  });

  it.each([...nonOfficers, 'officerY'])("%s cannot change X's time zone; X's officer can, for X only", async (who) => {
    expect((await clients[who]!.patch('/api/association', { timeZone: 'UTC' })).status).toBe(who === 'officerY' ? 200 : 403);
    const zones = await database.db.selectFrom('associations').select(['id', 'time_zone']).execute();
    expect(zones.find((a) => a.id === x.association.id)!.time_zone).toBe('Asia/Tokyo');
    await clients.officerY!.patch('/api/association', { timeZone: 'Asia/Tokyo' });
  });
});

/**
 * Every route that returns household data, for every role: the status, and in what is
 * allowed, only households in the caller's scope. Association X: 山田家 (101, 班1, member A,
 * watched by watcher A), 佐藤家 (102, 班2, member B), 鈴木家 (103, 班1), 高橋家 (104, 班2,
 * paper only). The markers below are 班2's private facts: a 班1 reader must see none of them.
 */
describe('household data, role × route', () => {
  const ids: { drill: string; circular: string } = { drill: '', circular: '' };
  const BLOCK2_SECRETS = ['佐藤家', '高橋家', '2班の回答メモ', '2班の支援メモ', '090-0000-0002'];
  const BLOCK1_SECRETS = ['山田家', '鈴木家', '1班の回答メモ', '1班の支援メモ', '090-0000-0001'];

  beforeAll(async () => {
    const officer = clients.officer!;
    // Phone numbers and responder notes are what a 班長 must not read about another 班.
    await database.db.updateTable('people').set({ phone: '090-0000-0001' }).where('id', '=', x.people.memberA.id).execute();
    await database.db.updateTable('people').set({ phone: '090-0000-0002' }).where('id', '=', x.people.memberB.id).execute();
    await database.db.updateTable('households').set({ responder_notes: '1班の支援メモ' }).where('id', '=', x.households.C.id).execute();
    await database.db.updateTable('households').set({ responder_notes: '2班の支援メモ' }).where('id', '=', x.households.D.id).execute();

    const drill = await officer.post('/api/drills', { kind: 'drill', title: '権限の訓練', deadlineAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(drill.status).toBe(201);
    ids.drill = drill.body.id;
    expect((await clients.memberA!.post(`/api/drills/${ids.drill}/answer`, { status: 'safe', where: 'home', note: '1班の回答メモ' })).status).toBe(200);
    expect((await clients.memberB!.post(`/api/drills/${ids.drill}/answer`, { status: 'needs_help', where: 'home', note: '2班の回答メモ' })).status).toBe(200);

    const draft = await officer.post('/api/circulars', { title: '権限の回覧' });
    expect(draft.status).toBe(201);
    expect((await officer.post(`/api/circulars/${draft.body.id}/publish`)).status).toBe(200);
    ids.circular = draft.body.id;

    // Watched homes: A with the default consent (family and 班長), B also sharing with volunteers; a help alert each.
    await database.db.insertInto('watch_settings').values([
      { household_id: x.households.A.id, association_id: x.association.id },
      { household_id: x.households.B.id, association_id: x.association.id, share_with_volunteers: true },
    ]).execute();
    await database.db.insertInto('watch_alerts').values([
      { association_id: x.association.id, household_id: x.households.A.id, kind: 'help', tier: 'family_captain' },
      { association_id: x.association.id, household_id: x.households.B.id, kind: 'help', tier: 'family_captain' },
    ]).execute();
  });

  type Row = [who: string, route: string, status: number, sees: string[]];
  const all = ['山田家', '佐藤家', '鈴木家', '高橋家'];
  // What each role may see through each route; an empty list with 200 means "allowed, but nothing of X's households".
  const rows: Row[] = [
    // The live dashboard and the visit list of a drill (104 is paper-only: on its 班長's list from the start).
    ['officer', 'drill dashboard', 200, ['佐藤家', '鈴木家', '高橋家']], ['captain1', 'drill dashboard', 200, ['鈴木家']], ['captain2', 'drill dashboard', 200, ['佐藤家', '高橋家']],
    ['memberA', 'drill dashboard', 403, []], ['watcherA', 'drill dashboard', 403, []], ['volunteer', 'drill dashboard', 403, []], ['officerY', 'drill dashboard', 404, []],
    ['officer', 'drill tasks', 200, ['高橋家']], ['captain1', 'drill tasks', 200, []], ['captain2', 'drill tasks', 200, ['高橋家']],
    ['memberA', 'drill tasks', 403, []], ['memberB', 'drill tasks', 403, []], ['watcherA', 'drill tasks', 403, []], ['volunteer', 'drill tasks', 200, []], ['officerY', 'drill tasks', 404, []],
    // The report and its CSV, once ended: a 班長 gets their 班's rows and totals.
    ['officer', 'drill report', 200, ['佐藤家', '鈴木家', '高橋家']], ['captain1', 'drill report', 200, ['鈴木家']], ['captain2', 'drill report', 200, ['佐藤家', '高橋家']],
    ['memberA', 'drill report', 403, []], ['memberB', 'drill report', 403, []], ['watcherA', 'drill report', 403, []], ['volunteer', 'drill report', 403, []], ['officerY', 'drill report', 404, []],
    ['officer', 'drill report.csv', 200, all], ['captain1', 'drill report.csv', 200, ['山田家', '鈴木家']], ['captain2', 'drill report.csv', 200, ['佐藤家', '高橋家']],
    ['memberA', 'drill report.csv', 403, []], ['memberB', 'drill report.csv', 403, []], ['watcherA', 'drill report.csv', 403, []], ['volunteer', 'drill report.csv', 403, []], ['officerY', 'drill report.csv', 404, []],
    // Circular progress, the unread and the paper sheet.
    ['officer', 'circular unread', 200, all], ['captain1', 'circular unread', 200, ['山田家', '鈴木家']], ['captain2', 'circular unread', 200, ['佐藤家', '高橋家']],
    ['memberA', 'circular unread', 403, []], ['watcherA', 'circular unread', 403, []], ['volunteer', 'circular unread', 403, []], ['officerY', 'circular unread', 404, []],
    ['officer', 'circular progress', 200, []], ['captain1', 'circular progress', 200, []], ['memberA', 'circular progress', 403, []], ['volunteer', 'circular progress', 403, []], ['officerY', 'circular progress', 404, []],
    ['officer', 'circular print 班2', 200, ['高橋家']], ['captain1', 'circular print 班2', 404, []], ['captain2', 'circular print 班2', 200, ['高橋家']], ['memberB', 'circular print 班2', 403, []], ['officerY', 'circular print 班2', 404, []],
    ['captain1', 'circular unread 班2', 404, []],
    // 班長's task lists.
    ['officer', 'tasks', 200, []], ['captain1', 'tasks', 200, []], ['memberA', 'tasks', 403, []], ['watcherA', 'tasks', 403, []], ['volunteer', 'tasks', 403, []],
    // The 班長's phone list: one card per home with something pending (here the help alerts of A and B), their own 班 only.
    ['officer', 'captain list', 200, ['山田家', '佐藤家']], ['captain1', 'captain list', 200, ['山田家']], ['captain2', 'captain list', 200, ['佐藤家']],
    ['memberA', 'captain list', 403, []], ['watcherA', 'captain list', 403, []], ['volunteer', 'captain list', 403, []], ['officerY', 'captain list', 200, []],
    ['officer', 'captain list 班2', 200, ['佐藤家']], ['captain1', 'captain list 班2', 404, []], ['captain2', 'captain list 班2', 200, ['佐藤家']],
    ['memberB', 'captain list 班2', 403, []], ['officerY', 'captain list 班2', 404, []],
    // Watch data: the board, a home, the alerts (help alerts of A and B), the access log.
    ['officer', 'watch board', 200, ['山田家', '佐藤家']], ['captain1', 'watch board', 200, ['山田家']], ['captain2', 'watch board', 200, ['佐藤家']],
    ['memberA', 'watch board', 200, ['山田家']], ['memberB', 'watch board', 200, ['佐藤家']], ['watcherA', 'watch board', 200, ['山田家']], ['volunteer', 'watch board', 200, ['佐藤家']], ['officerY', 'watch board', 200, []],
    ['officer', 'watch alerts', 200, ['山田家', '佐藤家']], ['captain1', 'watch alerts', 200, ['山田家']], ['captain2', 'watch alerts', 200, ['佐藤家']],
    ['memberA', 'watch alerts', 200, ['山田家']], ['watcherA', 'watch alerts', 200, ['山田家']], ['volunteer', 'watch alerts', 200, ['佐藤家']], ['officerY', 'watch alerts', 200, []],
    ['officer', 'watch home B', 200, ['佐藤家']], ['captain2', 'watch home B', 200, ['佐藤家']], ['memberB', 'watch home B', 200, ['佐藤家']], ['volunteer', 'watch home B', 200, ['佐藤家']],
    ['captain1', 'watch home B', 404, []], ['memberA', 'watch home B', 404, []], ['watcherA', 'watch home B', 404, []], ['officerY', 'watch home B', 404, []],
    ['officer', 'watch access log', 200, ['山田家', '佐藤家']], ['captain1', 'watch access log', 403, []], ['memberA', 'watch access log', 403, []], ['volunteer', 'watch access log', 403, []],
    // Officers' exports and lists.
    ['officer', 'roster export', 200, all], ...['captain1', 'memberA', 'watcherA', 'volunteer'].map((who): Row => [who, 'roster export', 403, []]),
    ['officer', 'devices', 200, []], ...['captain1', 'memberA', 'watcherA', 'volunteer'].map((who): Row => [who, 'devices', 403, []]),
    ['officer', 'people', 200, []], ...['captain1', 'memberA', 'watcherA', 'volunteer'].map((who): Row => [who, 'people', 403, []]),
    // Readiness: officers every 班, a 班長 their own (another 班 is a 404), nobody else.
    ['officer', 'readiness', 200, []], ['captain1', 'readiness', 200, []], ['captain2', 'readiness', 200, []], ['officerY', 'readiness', 200, []],
    ...['memberA', 'memberB', 'watcherA', 'volunteer'].map((who): Row => [who, 'readiness', 403, []]),
    ['officer', 'readiness 班2', 200, []], ['captain2', 'readiness 班2', 200, []], ['captain1', 'readiness 班2', 404, []], ['officerY', 'readiness 班2', 404, []],
    // The earthquake trigger and its log: officers only, each their own association's.
    ['officer', 'quake settings', 200, []], ['officerY', 'quake settings', 200, []],
    ...['captain1', 'memberA', 'watcherA', 'volunteer'].map((who): Row => [who, 'quake settings', 403, []]),
    ['officer', 'quake log', 200, []], ['officerY', 'quake log', 200, []],
    ...['captain1', 'memberA', 'watcherA', 'volunteer'].map((who): Row => [who, 'quake log', 403, []]),
    ['officer', 'quake notices', 200, []], ['officerY', 'quake notices', 200, []],
    ...['captain1', 'memberA', 'watcherA', 'volunteer'].map((who): Row => [who, 'quake notices', 403, []]),
  ];
  const path = (route: string): string =>
    ({
      'drill dashboard': `/api/drills/${ids.drill}/dashboard`,
      'drill tasks': `/api/drills/${ids.drill}/tasks`,
      'drill report': `/api/drills/${ids.drill}/report`,
      'drill report.csv': `/api/drills/${ids.drill}/report.csv`,
      'circular unread': `/api/circulars/${ids.circular}/unread`,
      'circular unread 班2': `/api/circulars/${ids.circular}/unread?blockId=${x.blocks.block2.id}`,
      'circular progress': `/api/circulars/${ids.circular}/progress`,
      'circular print 班2': `/api/circulars/${ids.circular}/print?blockId=${x.blocks.block2.id}`,
      tasks: '/api/tasks',
      'captain list': '/api/tasks/captain-list',
      'captain list 班2': `/api/tasks/captain-list?blockId=${x.blocks.block2.id}`,
      'watch board': '/api/watch/households',
      'watch alerts': '/api/watch/alerts',
      'watch home B': `/api/watch/households/${x.households.B.id}`,
      'watch access log': '/api/watch/access-log',
      'roster export': '/api/roster/export',
      devices: '/api/devices',
      people: '/api/people',
      readiness: '/api/readiness',
      'readiness 班2': `/api/readiness?blockId=${x.blocks.block2.id}`,
      'quake settings': '/api/quakes/settings',
      'quake log': '/api/quakes/log',
      'quake notices': '/api/quakes/notices',
    })[route]!;

  async function read(who: string, route: string) {
    const response = await fetch(`${server.baseUrl}${path(route)}`, { headers: { cookie: clients[who]!.cookie } });
    return { status: response.status, text: await response.text() };
  }

  describe.each(['drill dashboard', 'drill tasks'])('during the drill: %s', (route) => {
    it.each(rows.filter((r) => r[1] === route))('%s → %s: %i, sees %j', async (who, _route, status, sees) => {
      const { status: got, text } = await read(who, route);
      expect(got).toBe(status);
      for (const name of all) (sees.includes(name) ? expect(text).toContain(name) : expect(text).not.toContain(name));
    });
  });

  describe('during the drill, once a visit is escalated', () => {
    it("volunteers see the escalated home and nothing else; a 班長 of another 班 still does not", async () => {
      // 佐藤家 needs help but stays with its 班長; 高橋家's visit has reached the volunteers.
      await database.db.updateTable('drill_targets').set({ tier: 'volunteers' }).where('drill_id', '=', ids.drill).where('household_id', '=', x.households.D.id).execute();
      const { status, text } = await read('volunteer', 'drill tasks');
      expect(status).toBe(200);
      expect(text).toContain('高橋家');
      for (const name of ['山田家', '佐藤家', '鈴木家', ...BLOCK1_SECRETS]) expect(text).not.toContain(name);
      expect((await read('captain1', 'drill tasks')).text).not.toContain('高橋家');
      await database.db.updateTable('drill_targets').set({ tier: 'captain' }).where('drill_id', '=', ids.drill).where('household_id', '=', x.households.D.id).execute();
    });
  });

  describe('after the drill ends, and everything else', () => {
    beforeAll(async () => {
      expect((await clients.officer!.post(`/api/drills/${ids.drill}/end`)).status).toBe(200);
    });
    it.each(rows.filter((r) => r[1] !== 'drill dashboard' && r[1] !== 'drill tasks'))('%s → %s: %i, sees %j', async (who, route, status, sees) => {
      const { status: got, text } = await read(who, route);
      expect(got).toBe(status);
      if (status !== 200) {
        for (const name of [...all, ...BLOCK1_SECRETS, ...BLOCK2_SECRETS]) expect(text).not.toContain(name);
        return;
      }
      // Association Y's people see none of X's households (Y's own carry the same names, so ids are checked).
      if (who === 'officerY') for (const h of Object.values(x.households)) expect(text).not.toContain(h.id);
      else if (all.some((n) => sees.includes(n)) || sees.length === 0) {
        for (const name of all) (sees.includes(name) ? expect(text).toContain(name) : expect(text).not.toContain(name));
      }
      if (who === 'captain1') {
        for (const secret of BLOCK2_SECRETS) expect(text).not.toContain(secret);
        for (const h of [x.households.B, x.households.D]) expect(text).not.toContain(h.id);
      }
      if (who === 'captain2') for (const secret of BLOCK1_SECRETS) expect(text).not.toContain(secret);
    });

    it("an ended drill is listed for the 班長 whose 班 it reached (to open their report), not for members", async () => {
      const listed = async (who: string) => ((await clients[who]!.get('/api/drills')).body.items as { id: string }[]).map((d) => d.id);
      expect(await listed('officer')).toContain(ids.drill);
      expect(await listed('captain1')).toContain(ids.drill);
      expect(await listed('captain2')).toContain(ids.drill);
      for (const who of ['memberA', 'memberB', 'watcherA', 'volunteer', 'officerY']) expect(await listed(who)).not.toContain(ids.drill);
    });

    it("a 班長's report counts their 班 only, and says so", async () => {
      const response = await clients.captain1!.get(`/api/drills/${ids.drill}/report`);
      expect(response.status).toBe(200);
      expect(response.body.scope).toEqual({ kind: 'blocks', blockNames: ['1班'] });
      expect(response.body.counts).toMatchObject({ total: 2, accounted: 1, safe: 1, needsHelp: 0 });
      expect(response.body.drill).toMatchObject({ total: 2, accounted: 1 });
      expect(response.body.byBlock.map((b: { blockName: string }) => b.blockName)).toEqual(['1班']);
      expect(response.body.byChannel).toEqual({ app: 1, speaker: 0, proxy: 0, visit: 0 });
      expect(response.body.followUp.map((t: { householdNumber: string }) => t.householdNumber)).toEqual(['103']);
      const officers = await clients.officer!.get(`/api/drills/${ids.drill}/report`);
      expect(officers.body.scope).toEqual({ kind: 'association', blockNames: [] });
      expect(officers.body.counts).toMatchObject({ total: 4, accounted: 2, needsHelp: 1 });
      const csv = await read('captain1', 'drill report.csv');
      // The header and one line per household of 班1.
      expect(csv.text.trim().split('\r\n')).toHaveLength(3);
    });
  });
});

describe('a refused request changes nothing', () => {
  it("reading another household's watch page does not enrol it in silent-home checks", async () => {
    const household = x.households.C; // 班1, no speaker yet, never enrolled
    const enrolled = () => database.db.selectFrom('watch_settings').select('household_id').where('household_id', '=', household.id).executeTakeFirst();
    for (const who of ['memberA', 'memberB', 'watcherA', 'volunteer', 'captain2', 'officerY']) {
      expect((await clients[who]!.get(`/api/watch/households/${household.id}`)).status).toBe(404);
      expect((await clients[who]!.patch(`/api/watch/households/${household.id}/settings`, { enabled: false })).status).toBe(404);
    }
    expect(await enrolled()).toBeUndefined();
    const log = await database.db.selectFrom('watch_access_log').select('person_id').where('household_id', '=', household.id).execute();
    expect(log).toEqual([]);
  });

  it("acknowledging another 班's circular is refused and records nothing as read", async () => {
    const draft = await clients.officer!.post('/api/circulars', { title: '2班だけの回覧', targetBlockIds: [x.blocks.block2.id] });
    expect((await clients.officer!.post(`/api/circulars/${draft.body.id}/publish`)).status).toBe(200);
    expect((await clients.memberA!.post(`/api/circulars/${draft.body.id}/acknowledge`)).status).toBe(404);
    const reads = await database.db.selectFrom('circular_reads').select('person_id').where('circular_id', '=', draft.body.id).execute();
    expect(reads).toEqual([]);
    // Withdrawn, it is still not memberA's: the same 404, not a 409 that says it exists.
    expect((await clients.officer!.post(`/api/circulars/${draft.body.id}/withdraw`, { reason: 'テスト' })).status).toBe(200);
    expect((await clients.memberA!.post(`/api/circulars/${draft.body.id}/acknowledge`)).status).toBe(404);
    expect((await clients.memberB!.post(`/api/circulars/${draft.body.id}/acknowledge`)).status).toBe(409);
  });

  it("a 班長 who may see a home but not change its rules leaves it unenrolled when refused", async () => {
    const home = await database.db
      .insertInto('households')
      .values({ association_id: x.association.id, block_id: x.blocks.block1.id, household_number: '105', name: '中村家', address: '京田辺市 105', channels: ['app'] })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await clients.captain1!.patch(`/api/watch/households/${home.id}/settings`, { inactivityHours: 1 })).status).toBe(403);
    expect((await clients.captain1!.patch(`/api/watch/households/${home.id}/settings`, { shareWithVolunteers: true })).status).toBe(403);
    expect((await clients.captain1!.post(`/api/watch/households/${home.id}/away`, { startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(), reason: '旅行' })).status).toBe(403);
    const row = await database.db.selectFrom('watch_settings').select('household_id').where('household_id', '=', home.id).executeTakeFirst();
    expect(row).toBeUndefined();
  });
});

/**
 * The uptake routes, role × route: invitation letters and the unregistered list (officers any
 * 班, a 班長 their own), the help desk (officers), family invitations (the household and
 * officers). Two homes without a login are added: 未登録一家 (班1) and 未登録二家 (班2).
 */
describe('uptake routes, role × route', () => {
  const homes = { one: '', two: '' };
  beforeAll(async () => {
    const home = (number: string, name: string, blockId: string) => ({ association_id: x.association.id, block_id: blockId, household_number: number, name, address: `京田辺市 ${number}`, channels: ['paper' as const] });
    const [one, two] = await database.db
      .insertInto('households')
      .values([home('201', '未登録一家', x.blocks.block1.id), home('202', '未登録二家', x.blocks.block2.id)])
      .returning('id')
      .execute();
    homes.one = one!.id;
    homes.two = two!.id;
  });

  type Row = [who: string, route: 'letters 班2' | 'unregistered 班1' | 'help desk 一家' | 'family invitation A', status: number, sees: string[]];
  const rows: Row[] = [
    ['officer', 'letters 班2', 200, ['未登録二家']], ['captain2', 'letters 班2', 200, ['未登録二家']], ['captain1', 'letters 班2', 404, []],
    ['memberB', 'letters 班2', 403, []], ['watcherA', 'letters 班2', 403, []], ['volunteer', 'letters 班2', 403, []], ['officerY', 'letters 班2', 404, []],
    ['officer', 'unregistered 班1', 200, ['未登録一家']], ['captain1', 'unregistered 班1', 200, ['未登録一家']], ['captain2', 'unregistered 班1', 404, []],
    ['memberA', 'unregistered 班1', 403, []], ['watcherA', 'unregistered 班1', 403, []], ['volunteer', 'unregistered 班1', 403, []], ['officerY', 'unregistered 班1', 404, []],
    ['officer', 'help desk 一家', 200, ['未登録一家']], ['captain1', 'help desk 一家', 403, []], ['captain2', 'help desk 一家', 404, []],
    ['memberA', 'help desk 一家', 404, []], ['watcherA', 'help desk 一家', 404, []], ['volunteer', 'help desk 一家', 404, []], ['officerY', 'help desk 一家', 404, []],
    ['officer', 'family invitation A', 200, ['山田家']], ['memberA', 'family invitation A', 200, ['山田家']], ['watcherA', 'family invitation A', 403, []],
    ['captain1', 'family invitation A', 403, []], ['captain2', 'family invitation A', 404, []], ['memberB', 'family invitation A', 404, []],
    ['volunteer', 'family invitation A', 404, []], ['officerY', 'family invitation A', 404, []],
  ];
  const call = (who: string, route: Row[1]) => {
    const client = clients[who]!;
    if (route === 'letters 班2') return client.post('/api/passcodes/letters', { blockId: x.blocks.block2.id });
    if (route === 'unregistered 班1') return client.get(`/api/blocks/${x.blocks.block1.id}/unregistered`);
    if (route === 'help desk 一家') return client.post(`/api/households/${homes.one}/help-desk-passcode`);
    return client.post(`/api/households/${x.households.A.id}/family-invitation`);
  };
  it.each(rows)('%s → %s: %i, sees %j', async (who, route, status, sees) => {
    const response = await call(who, route);
    expect(response.status).toBe(status);
    const text = JSON.stringify(response.body);
    for (const name of ['未登録一家', '未登録二家', '山田家', '佐藤家', '鈴木家', '高橋家']) (sees.includes(name) ? expect(text).toContain(name) : expect(text).not.toContain(name));
  });
});

describe('changing the earthquake trigger (PUT /api/quakes/settings)', () => {
  // The trigger is the caller's own association's (no id in the path): only its officers change it,
  // and another association's officer changes only their own.
  const body = (areaCodes: string[]) => ({ areaCodes, minIntensity: '5-', holdOffSeconds: 120, aftershockSeconds: 21600, drillsFromTraining: false });
  const rows: [who: string, status: number][] = [
    ['officer', 200], ['officerY', 200], ['captain1', 403], ['captain2', 403], ['memberA', 403], ['watcherA', 403], ['volunteer', 403],
  ];
  it.each(rows)('%s → PUT quake settings: %i', async (who, status) => {
    const before = await database.db.selectFrom('quake_settings').select('area_codes').where('association_id', '=', x.association.id).executeTakeFirst();
    const response = await clients[who]!.put('/api/quakes/settings', body(who === 'officer' ? ['511'] : ['520']));
    expect(response.status).toBe(status);
    const after = await database.db.selectFrom('quake_settings').select('area_codes').where('association_id', '=', x.association.id).executeTakeFirst();
    if (who === 'officer') expect(after?.area_codes).toEqual(['511']);
    else expect(after).toEqual(before);
    if (who === 'officerY') {
      const own = await database.db.selectFrom('quake_settings').select('area_codes').where('association_id', '=', y.association.id).executeTakeFirst();
      expect(own?.area_codes).toEqual(['520']);
    }
  });
});

describe('shelters (every route): role × route', () => {
  // X has a listed and an unlisted shelter, Y one of its own. Everyone in X reads the listed
  // ones; only X's officers read the unlisted, import, list/unlist and delete; Y's officer
  // reaches none of X's (404), and nobody sees another association's.
  const ids: Record<string, string> = {};
  const who = ['officer', 'captain1', 'captain2', 'memberA', 'watcherA', 'volunteer', 'officerY'] as const;
  beforeAll(async () => {
    const shelter = (associationId: string, name: string, listed: boolean) => ({
      association_id: associationId, source_id: `matrix-${name}`, name, latitude: 34.8, longitude: 135.76, capacity: null, hazards: ['earthquake' as const], also_evacuation_centre: null, listed,
    });
    const rows = await database.db
      .insertInto('shelters')
      .values([shelter(x.association.id, '公開広場X', true), shelter(x.association.id, '非公開広場X', false), shelter(x.association.id, '削除広場X', true), shelter(y.association.id, '広場Y', true)])
      .returning(['id', 'name'])
      .execute();
    for (const r of rows) ids[r.name] = r.id;
  });
  const names = ['公開広場X', '非公開広場X', '広場Y'];
  const listSees: Record<(typeof who)[number], string[]> = {
    officer: ['公開広場X', '非公開広場X'], captain1: ['公開広場X'], captain2: ['公開広場X'], memberA: ['公開広場X'], watcherA: ['公開広場X'], volunteer: ['公開広場X'], officerY: ['広場Y'],
  };
  it.each(who)('%s → GET /api/shelters sees only their association’s (listed ones unless an officer)', async (w) => {
    const response = await clients[w]!.get('/api/shelters');
    expect(response.status).toBe(200);
    for (const name of names) (listSees[w].includes(name) ? expect(response.text).toContain(name) : expect(response.text).not.toContain(name));
  });
  const csv = Buffer.from('NO,共通ID,施設・場所名,住所,洪水,崖崩れ、土石流及び地滑り,高潮,地震,津波,大規模な火事,内水氾濫,火山現象,指定避難所との住所同一,緯度,経度,備考\n1,E1,試験広場,京田辺市,,,,1,,,,,,34.8,135.76,\n');
  const officerOnly = (w: string) => (w === 'officer' || w === 'officerY' ? 200 : 403);
  it.each(who)('%s → POST /api/shelters/import (preview)', async (w) => {
    const response = await clients[w]!.request('POST', '/api/shelters/import?mode=preview', csv);
    expect(response.status).toBe(officerOnly(w));
  });
  it.each(who)('%s → PATCH /api/shelters/:id (X’s unlisted one)', async (w) => {
    const response = await clients[w]!.patch(`/api/shelters/${ids['非公開広場X']}`, { listed: false });
    expect(response.status).toBe(w === 'officer' ? 200 : w === 'officerY' ? 404 : 403);
    if (w !== 'officer') expect(response.text).not.toContain('非公開広場X');
  });
  it.each([...who.filter((w) => w !== 'officer'), 'officer'])('%s → DELETE /api/shelters/:id (X’s)', async (w) => {
    const response = await clients[w]!.request('DELETE', `/api/shelters/${ids['削除広場X']}`);
    expect(response.status).toBe(w === 'officer' ? 200 : w === 'officerY' ? 404 : 403);
    const left = await database.db.selectFrom('shelters').select('id').where('id', '=', ids['削除広場X']!).executeTakeFirst();
    expect(!!left).toBe(w !== 'officer');
  });
});

describe('the local support directory', () => {
  // X's officer adds an entry for X. The search is public; editing is for officers, each only
  // their own association's entries (another association's is a 404, like one that does not exist).
  let entryId = '';
  beforeAll(async () => {
    const created = await clients.officer!.post('/api/directory/services', { organisation: 'X見守りの会', name: 'Xの相談窓口', worries: ['loneliness'], phone: '0774-00-0000', status: 'published' });
    expect(created.status).toBe(201);
    entryId = created.body.id;
  });
  const everyone = ['officer', 'captain1', 'captain2', 'memberA', 'memberB', 'watcherA', 'volunteer', 'officerY'];

  it.each(everyone)('%s → search: 200, the same answer as an anonymous visitor', async (who) => {
    const code = (await database.db.selectFrom('directory_areas').select('code').where('association_id', '=', x.association.id).executeTakeFirstOrThrow()).code;
    const response = await clients[who]!.get(`/api/directory/search?worries=loneliness&area=${code}`);
    expect(response.status).toBe(200);
    const anonymous = await new ApiClient(server.baseUrl).get(`/api/directory/search?worries=loneliness&area=${code}`);
    expect(response.body).toEqual(anonymous.body);
  });

  const rows: [who: string, list: number, create: number, change: number, confirm: number][] = [
    ['officer', 200, 201, 200, 200],
    ['officerY', 200, 201, 404, 404],
    ...['captain1', 'captain2', 'memberA', 'memberB', 'watcherA', 'volunteer'].map((who): [string, number, number, number, number] => [who, 403, 403, 403, 403]),
  ];
  it.each(rows)('%s → list %i, add %i, change X’s entry %i, reconfirm it %i', async (who, list, create, change, confirm) => {
    const client = clients[who]!;
    const listed = await client.get('/api/directory/services');
    expect(listed.status).toBe(list);
    if (who === 'officerY') expect(JSON.stringify(listed.body)).not.toContain('Xの相談窓口');
    expect((await client.post('/api/directory/services', { organisation: `${who}の会`, name: `${who}の窓口`, worries: ['money'], phone: '0774-00-0001' })).status).toBe(create);
    expect((await client.patch(`/api/directory/services/${entryId}`, { hours: `${who}が変更` })).status).toBe(change);
    expect((await client.post(`/api/directory/services/${entryId}/confirm`)).status).toBe(confirm);
    const row = await database.db.selectFrom('directory_services').select('hours').where('id', '=', entryId).executeTakeFirstOrThrow();
    if (who !== 'officer') expect(row.hours).not.toBe(`${who}が変更`);
  });

  const history: [who: string, status: number][] = [
    ['officer', 200], ['officerY', 200],
    ...['captain1', 'captain2', 'memberA', 'memberB', 'watcherA', 'volunteer'].map((who): [string, number] => [who, 403]),
  ];
  it.each(history)('%s → GET /api/directory/history: %i, only their own association’s entries', async (who, status) => {
    const response = await clients[who]!.get('/api/directory/history');
    expect(response.status).toBe(status);
    if (who === 'officer') expect(response.body.items.map((i: { serviceId: string }) => i.serviceId)).toContain(entryId);
    else expect(JSON.stringify(response.body)).not.toContain('Xの相談窓口');
  });
});

describe('the directory CSV (import, export): role × route', () => {
  // X's officer imports an entry for X. Only officers import and export, each only their own
  // association's entries: Y's officer's export never holds X's, and X's id is refused to Y by line.
  beforeAll(async () => {
    const saved = await clients.officer!.request('POST', '/api/directory/import?mode=commit', Buffer.from('外部ID,団体名,サービス名,悩み,電話番号\r\nmatrix-x-1,X行列の会,X行列の窓口,介護,0774-00-0000\r\n'));
    expect(saved.body).toMatchObject({ committed: true, errors: [] });
  });
  const rows: [who: string, status: number][] = [
    ['officer', 200], ['officerY', 200],
    ...['captain1', 'captain2', 'memberA', 'memberB', 'watcherA', 'volunteer'].map((who): [string, number] => [who, 403]),
  ];
  it.each(rows)('%s → GET /api/directory/export: %i, only their association’s entries', async (who, status) => {
    const response = await clients[who]!.get('/api/directory/export');
    expect(response.status).toBe(status);
    if (who === 'officer') expect(response.text).toContain('X行列の窓口');
    else expect(response.text).not.toContain('X行列の窓口');
  });
  it.each(rows)('%s → POST /api/directory/import (X’s id, changed): %i, and X’s entry unchanged unless X’s officer', async (who, status) => {
    const csv = Buffer.from(`外部ID,団体名,サービス名,悩み,電話番号\r\nmatrix-x-1,X行列の会,${who}の窓口,介護,0774-00-0000\r\n`);
    const response = await clients[who]!.request('POST', '/api/directory/import?mode=commit', csv);
    expect(response.status).toBe(status);
    if (who === 'officerY') expect(response.body.errors).toEqual([expect.objectContaining({ line: 2, column: '外部ID' })]);
    const row = await database.db.selectFrom('directory_services').select('name').where('external_id', '=', 'matrix-x-1').executeTakeFirstOrThrow();
    expect(row.name).toBe(who === 'officer' ? 'officerの窓口' : 'X行列の窓口');
    if (who === 'officer') await clients.officer!.request('POST', '/api/directory/import?mode=commit', Buffer.from('外部ID,団体名,サービス名,悩み,電話番号\r\nmatrix-x-1,X行列の会,X行列の窓口,介護,0774-00-0000\r\n'));
  });
});

describe('referrals to the directory', () => {
  // Household A (班1 of X) was visited in a drill and needs help. A referral is for those who
  // handle that visit (its 班長, officers; volunteers only once escalated); its list for officers,
  // its 班長 and whoever made one (never the household itself or its family); the counts (no names) for officers, each of their own association.
  let drillId = '';
  let serviceId = '';
  beforeAll(async () => {
    const created = await clients.officer!.post('/api/directory/services', { organisation: 'X包括', name: 'X包括の相談', worries: ['care'], phone: '0774-00-0002', status: 'published' });
    serviceId = created.body.id;
    drillId = (await createDrill(database.db, x.association.id)).id;
    expect((await clients.captain1!.post(`/api/drills/${drillId}/visit`, { householdId: x.households.A.id, outcome: 'needs_help' })).status).toBe(200);
  });
  const rows: [who: string, services: number, create: number, list: number, counts: number][] = [
    ['officer', 200, 201, 200, 200],
    ['captain1', 200, 201, 200, 403],
    ['captain2', 200, 404, 404, 403],
    ['volunteer', 200, 404, 404, 403],
    ['memberA', 403, 403, 404, 403],
    ['memberB', 403, 403, 404, 403],
    ['watcherA', 403, 403, 404, 403],
    ['officerY', 200, 404, 404, 200],
  ];
  it.each(rows)('%s → services %i, refer A %i, A’s referrals %i, counts and CSV %i', async (who, services, create, list, counts) => {
    const client = clients[who]!;
    expect((await client.get('/api/referrals/services?worries=care')).status).toBe(services);
    const made = await client.post('/api/referrals', { source: 'drill_visit', sourceId: drillId, householdId: x.households.A.id, serviceId, worries: ['care'], consent: true });
    expect(made.status).toBe(create);
    const listed = await client.get(`/api/referrals/households/${x.households.A.id}`);
    expect(listed.status).toBe(list);
    if (list === 404) expect(JSON.stringify(listed.body)).not.toContain('X包括の相談');
    const counted = await client.get('/api/referrals/counts');
    expect(counted.status).toBe(counts);
    expect((await client.get('/api/referrals/counts.csv')).status).toBe(counts);
    if (who === 'officerY') expect(counted.body.byWorry).toEqual([]);
  });
});

describe('the directory’s own logins (an organisation, a city editor): role × route', () => {
  // Apart from residents: an organisation's or a city editor's session opens no association route.
  const directoryClients: Record<string, ApiClient> = {};
  beforeAll(async () => {
    const { hashPassword } = await import('../server/src/auth/password.js');
    const { upsertCityEditor } = await import('../server/src/directory/directory-accounts.repository.js');
    const invited = await clients.officer!.post('/api/directory/invitations', { organisation: 'X行列の会', login: 'matrix-org@x.example.jp' });
    expect(invited.status).toBe(201);
    directoryClients.organisation = new ApiClient(server.baseUrl);
    const joined = await directoryClients.organisation.post('/api/directory/account/join', { code: invited.body.code, password: 'matrix-password' });
    directoryClients.organisation.csrfToken = joined.body.csrfToken;
    const city = await database.db.insertInto('directory_areas').values({ kind: 'city', code: 'matrix-city', name: '行列市' }).returning('id').executeTakeFirstOrThrow();
    await upsertCityEditor(database.db, { name: '市', login: 'matrix-city@example.jp', passwordHash: await hashPassword('matrix-password'), areaId: city.id });
    directoryClients.cityEditor = new ApiClient(server.baseUrl);
    const signedIn = await directoryClients.cityEditor.post('/api/directory/account/login', { login: 'matrix-city@example.jp', password: 'matrix-password' });
    directoryClients.cityEditor.csrfToken = signedIn.body.csrfToken;
  });

  it.each(['organisation', 'cityEditor'])('%s → every session route: 401', async (who) => {
    const { routeContracts } = await import('../server/src/contracts/routes.js');
    const session = Object.values(routeContracts).flatMap((group) => Object.values(group)).filter((c) => c.access === 'session');
    expect(session.length).toBeGreaterThan(50);
    for (const route of session) {
      const path = route.path.replace(/:[a-zA-Z]+/g, x.households.A.id);
      const response = await directoryClients[who]!.request(route.method.toUpperCase(), path, route.method === 'get' ? undefined : {});
      expect(response.status, `${route.method} ${route.path}`).toBe(401);
    }
  });

  it.each([['organisation', 201], ['cityEditor', 403]] as const)('%s → proposing a new service: %i', async (who, status) => {
    const proposed = await directoryClients[who]!.post('/api/directory/account/services', { name: `${who}の新しい相談先`, worries: ['care'], phone: '0774-00-1111' });
    expect(proposed.status).toBe(status);
    if (status === 201) expect(proposed.body.pending.changes).toContainEqual({ field: 'status', before: 'draft', after: 'published' });
  });

  it.each([['organisation', 403], ['cityEditor', 200]] as const)('%s → the city’s own entries (list, add): %i', async (who, status) => {
    expect((await directoryClients[who]!.get('/api/directory/account/city/services')).status).toBe(status);
    const added = await directoryClients[who]!.post('/api/directory/account/city/services', { organisation: '行列市の会', name: `${who}の市の窓口`, worries: ['care'], phone: '0774-00-1112' });
    expect(added.status).toBe(status === 200 ? 201 : status);
  });

  it.each(['organisation', 'cityEditor'])('%s → GET /api/directory/account/history: 200, only the entries it keeps', async (who) => {
    const response = await directoryClients[who]!.get('/api/directory/account/history');
    expect(response.status).toBe(200);
    const services = new Set(response.body.items.map((i: { service: string }) => i.service));
    // The organisation's: the service it proposed above; the city editor's: the one it added to 行列市, none of X's.
    expect([...services]).toEqual([who === 'organisation' ? 'organisationの新しい相談先' : 'cityEditorの市の窓口']);
  });

  it.each([['organisation', 403], ['cityEditor', 201]] as const)('%s → the city’s invitation of an organisation: %i', async (who, status) => {
    const invited = await directoryClients[who]!.post('/api/directory/account/city/invitations', { organisation: '行列市の会', login: `city-invite-${who}@matrix.example.jp` });
    expect(invited.status).toBe(status);
  });

  const residents = ['officer', 'captain1', 'memberA', 'watcherA', 'volunteer', 'officerY'];
  it.each(residents)('%s → the directory account’s routes: 401; the review queue: officers only', async (who) => {
    expect((await clients[who]!.get('/api/directory/account')).status).toBe(401);
    expect((await clients[who]!.get('/api/directory/account/review')).status).toBe(401);
    expect((await clients[who]!.get('/api/directory/account/history')).status).toBe(401);
    expect((await clients[who]!.get('/api/directory/account/city/services')).status).toBe(401);
    expect((await clients[who]!.post('/api/directory/account/city/services', { organisation: `${who}の会`, name: `${who}の窓口`, worries: ['care'], phone: '0774-00-1111' })).status).toBe(401);
    expect((await clients[who]!.post('/api/directory/account/services', { name: `${who}の提案`, worries: ['care'], phone: '0774-00-1111' })).status).toBe(401);
    expect((await clients[who]!.post('/api/directory/account/city/invitations', { organisation: `${who}の会`, login: `${who}-city@matrix.example.jp` })).status).toBe(401);
    expect((await clients[who]!.get('/api/directory/review')).status).toBe(who.startsWith('officer') ? 200 : 403);
    expect((await clients[who]!.post('/api/directory/invitations', { organisation: `${who}の会`, login: `${who}@matrix.example.jp` })).status).toBe(who.startsWith('officer') ? 201 : 403);
  });
});

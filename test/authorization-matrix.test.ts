import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';

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

  it('a captain sees only their own 班 in the block list', async () => {
    const response = await clients.captain1!.get('/api/blocks');
    expect(response.body.items.map((b: { name: string }) => b.name)).toEqual(['1班']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { startServerSuite, stopSuite } from './support/suite.js';
import { demo, seedDemo } from '../server/src/demo/seed.js';

/**
 * Readiness over the demo association: 4 班 of 25 households; only 1班's 班長 and one
 * household of 1班 have a login; 2班–4班's 班長 have none; the speakers have not connected
 * yet. A reader sees which homes nobody can reach and why, before a drill goes out.
 */
let database: TestDatabase;
let server: TestServer;
let officer: ApiClient;
const blocks: Record<string, string> = {};

type Home = { householdNumber: string; name: string; address: string; channels: string[] };
type Block = {
  id: string; name: string; households: number; registered: number; speakersOnline: number;
  paperOnly: Home[]; nobody: Home[]; captains: { name: string; reachable: boolean }[];
  captainGap: { assigned: number; visitsGoTo: string } | null;
};

async function login(identifier: string) {
  const client = new ApiClient(server.baseUrl);
  await client.login(identifier, demo.password);
  return client;
}

beforeAll(async () => {
  ({ database, server } = await startServerSuite());
  await seedDemo(database.db);
  for (const b of await database.db.selectFrom('blocks').select(['id', 'name']).execute()) blocks[b.name] = b.id;
  officer = await login('officer@demo.tonari.jp');
});

afterAll(() => stopSuite({ server, database }));

const byName = (items: Block[]) => Object.fromEntries(items.map((b) => [b.name, b]));

describe('the readiness view', () => {
  it("names the demo's gaps: three 班 whose 班長 cannot be reached, and every home there that nobody reaches", async () => {
    const response = await officer.get('/api/readiness');
    expect(response.status).toBe(200);
    const view = byName(response.body.blocks);
    expect(Object.keys(view)).toEqual(['1班', '2班', '3班', '4班']);

    // 1班: its 班長 has a login, so paper reaches every door; two homes are registered.
    expect(view['1班']).toMatchObject({ households: 25, registered: 2, speakersOnline: 0, captainGap: null });
    expect(view['1班']!.nobody).toEqual([]);
    expect(view['1班']!.paperOnly).toHaveLength(23);
    expect(view['1班']!.captains).toEqual([expect.objectContaining({ reachable: true })]);

    // 2班–4班: the 班長 has no login, visits go to the volunteers, and no channel reaches any home.
    for (const name of ['2班', '3班', '4班']) {
      expect(view[name]).toMatchObject({ households: 25, registered: 0, captainGap: { assigned: 1, visitsGoTo: 'volunteers' } });
      expect(view[name]!.captains).toEqual([expect.objectContaining({ reachable: false })]);
      expect(view[name]!.nobody).toHaveLength(25);
      expect(view[name]!.paperOnly).toEqual([]);
    }
    // The paper-only homes of 2班 (no smartphone) are among those nobody reaches, with where to find them.
    const paperHomes2 = ['114', '134', '154', '174', '194'];
    const nobody2 = view['2班']!.nobody.map((h) => h.householdNumber);
    for (const n of paperHomes2) expect(nobody2).toContain(n);
    expect(view['2班']!.nobody.find((h) => h.householdNumber === '114')).toMatchObject({ address: expect.stringContaining('京田辺市'), channels: [] });

    // The tiers: the volunteer has a login, the 民生委員 has none; the officer has one.
    const tiers = Object.fromEntries(response.body.tiers.map((t: { tier: string }) => [t.tier, t]));
    expect(tiers.volunteers.reachable).toBe(true);
    expect(tiers.volunteers.holders).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: '見守り 西田 恵子', reachable: true }), expect.objectContaining({ name: '民生委員 北村 誠', reachable: false })]),
    );
    expect(tiers.officers).toMatchObject({ reachable: true, holders: [{ name: '会長 田辺 一郎', reachable: true }] });
  });

  it('a speaker that comes online reaches its home; a revoked one does not', async () => {
    // Household 106 (2班) has a speaker.
    const device = await database.db
      .selectFrom('devices').innerJoin('households', 'households.id', 'devices.household_id')
      .select('devices.id').where('households.household_number', '=', '106').executeTakeFirstOrThrow();
    await database.db.updateTable('devices').set({ online: true, last_seen_at: new Date() }).where('id', '=', device.id).execute();
    let view = byName((await officer.get('/api/readiness')).body.blocks);
    expect(view['2班']).toMatchObject({ speakersOnline: 1 });
    expect(view['2班']!.nobody.map((h) => h.householdNumber)).not.toContain('106');
    expect(view['2班']!.nobody).toHaveLength(24);

    await database.db.updateTable('devices').set({ revoked_at: new Date() }).where('id', '=', device.id).execute();
    view = byName((await officer.get('/api/readiness')).body.blocks);
    expect(view['2班']).toMatchObject({ speakersOnline: 0 });
    expect(view['2班']!.nobody).toHaveLength(25);
  });

  it('counts registered homes per 班 over time, from when each got a login', async () => {
    // A 3班 member gets a login (the trigger records when), dated back three weeks.
    const person = await database.db
      .selectFrom('people').innerJoin('households', 'households.id', 'people.household_id')
      .select('people.id').where('households.household_number', '=', '103').executeTakeFirstOrThrow();
    await database.db.updateTable('people').set({ password_hash: 'x' }).where('id', '=', person.id).execute();
    const stamped = await database.db.selectFrom('people').select('login_since').where('id', '=', person.id).executeTakeFirstOrThrow();
    expect(stamped.login_since).not.toBeNull();
    await sql`update people set login_since = now() - interval '3 weeks' where id = ${person.id}`.execute(database.db);

    const response = await officer.get('/api/readiness?period=week');
    expect(response.status).toBe(200);
    const { registration } = response.body;
    expect(registration.period).toBe('week');
    expect(registration.periods).toHaveLength(12);
    const series = Object.fromEntries(registration.blocks.map((b: { blockId: string; registered: number[] }) => [b.blockId, b.registered]));
    expect(series[blocks['3班']!]!.slice(-5)).toEqual([0, 1, 1, 1, 1]);
    expect(series[blocks['1班']!]!.at(-1)).toBe(2);
    expect(series[blocks['4班']!]!.every((n: number) => n === 0)).toBe(true);
    expect(byName(response.body.blocks)['3班']!.registered).toBe(1);

    const months = await officer.get('/api/readiness?period=month');
    expect(months.body.registration.periods).toHaveLength(12);
    expect(months.body.registration.periods.at(-1)).toMatch(/^\d{4}-\d{2}-01$/);

    // The login removed, the home is no longer registered and its date is gone.
    await database.db.updateTable('people').set({ password_hash: null }).where('id', '=', person.id).execute();
    expect((await database.db.selectFrom('people').select('login_since').where('id', '=', person.id).executeTakeFirstOrThrow()).login_since).toBeNull();
  });

  it('a 班長 sees only their own 班; a household member and a volunteer are refused', async () => {
    const captain = await login('captain1@demo.tonari.jp');
    const own = await captain.get('/api/readiness');
    expect(own.status).toBe(200);
    expect(own.body.blocks.map((b: Block) => b.name)).toEqual(['1班']);
    expect(own.body.tiers).toEqual([]);
    expect(own.body.registration.blocks.map((b: { blockId: string }) => b.blockId)).toEqual([blocks['1班']]);
    // No home of another 班 in any list (2班's paper-only 114 among them). Compared by field:
    // a substring of the whole JSON can match inside a random UUID.
    const listed = own.body.blocks.flatMap((b: { paperOnly: { householdNumber: string; blockId: string }[]; nobody: { householdNumber: string; blockId: string }[] }) => [...b.paperOnly, ...b.nobody]);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.map((h: { householdNumber: string }) => h.householdNumber)).not.toContain('114');
    expect(new Set(listed.map((h: { blockId: string }) => h.blockId))).toEqual(new Set([blocks['1班']]));
    expect((await captain.get(`/api/readiness?blockId=${blocks['1班']}`)).status).toBe(200);
    expect((await captain.get(`/api/readiness?blockId=${blocks['2班']}`)).status).toBe(404);
    expect((await captain.post('/api/readiness/preflight', { blockIds: [blocks['1班']] })).status).toBe(403);

    for (const who of ['household@demo.tonari.jp', 'volunteer@demo.tonari.jp', 'family@demo.tonari.jp']) {
      const client = await login(who);
      expect((await client.get('/api/readiness')).status).toBe(403);
      expect((await client.post('/api/readiness/preflight', {})).status).toBe(403);
    }
  });

  it('bad input is a 4xx naming the field', async () => {
    const malformed = await officer.get('/api/readiness?blockId=not-an-id');
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body.error)).toContain('blockId');
    expect((await officer.get('/api/readiness?period=year')).status).toBe(400);
    expect((await officer.get('/api/readiness?blockId=9b2f1c5e-0000-4000-8000-000000000000')).status).toBe(404);
  });
});

describe('the preflight before a drill or a circular', () => {
  it('lists the homes nobody can reach in the scope and the 班 without a reachable 班長', async () => {
    const response = await officer.post('/api/readiness/preflight', { blockIds: [blocks['1班'], blocks['4班']] });
    expect(response.status).toBe(200);
    expect(response.body.households).toBe(50);
    expect(response.body.nobody).toHaveLength(25);
    expect(response.body.nobody.every((h: { blockName: string }) => h.blockName === '4班')).toBe(true);
    expect(response.body.blocksWithoutCaptain).toEqual([{ id: blocks['4班'], name: '4班', assigned: 1, visitsGoTo: 'volunteers' }]);
    expect(response.body.unreachableTiers).toEqual([]);

    const whole = await officer.post('/api/readiness/preflight', {});
    expect(whole.body.households).toBe(100);
    expect(whole.body.blocksWithoutCaptain.map((b: { name: string }) => b.name)).toEqual(['2班', '3班', '4班']);
  });

  it('names a tier with nobody reachable in it', async () => {
    const volunteer = await database.db.selectFrom('people').select('id').where('email', '=', 'volunteer@demo.tonari.jp').executeTakeFirstOrThrow();
    await database.db.updateTable('role_assignments').set({ ends_on: '2000-01-01', starts_on: '1999-01-01' }).where('person_id', '=', volunteer.id).execute();
    try {
      const response = await officer.post('/api/readiness/preflight', { blockIds: [blocks['2班']] });
      expect(response.body.unreachableTiers).toEqual(['volunteers']);
      expect(response.body.blocksWithoutCaptain).toEqual([{ id: blocks['2班'], name: '2班', assigned: 1, visitsGoTo: 'officers' }]);
    } finally {
      await database.db.updateTable('role_assignments').set({ ends_on: null, starts_on: '2000-01-01' }).where('person_id', '=', volunteer.id).execute();
    }
  });

  it('refuses an unknown or malformed 班, naming blockIds', async () => {
    const unknown = await officer.post('/api/readiness/preflight', { blockIds: ['9b2f1c5e-0000-4000-8000-000000000000'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.field).toBe('blockIds');
    const malformed = await officer.post('/api/readiness/preflight', { blockIds: ['2班'] });
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body.error)).toContain('blockIds');
    const empty = await officer.post('/api/readiness/preflight', { blockIds: [] });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body.error)).toContain('blockIds');
  });
});

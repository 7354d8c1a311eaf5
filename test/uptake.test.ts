import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSuite, stopSuite, loggedInClient } from './support/suite.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';

/**
 * Uptake tools over HTTP: invitation letters for the homes nobody can reach through the app
 * (never a registered one), a 班長's list of them, the help desk, and family living
 * elsewhere joining a household up to its login limit.
 *
 * The fixture's four households all have a login (A, B: members; C, D: the 班長's homes);
 * E (105, 2班: a member with a phone, no login), F (106, 2班: nobody) and G (107, 1班) have none.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let unregistered: { E: string; F: string; G: string; memberE: string };

beforeAll(async () => {
  ({ database, server, x } = await startSuite());
  const db = database.db;
  const household = (number: string, name: string, blockId: string) => ({
    association_id: x.association.id, block_id: blockId, household_number: number, name, address: `京田辺市 ${number}`, channels: ['paper' as const],
  });
  const [E, F, G] = await db
    .insertInto('households')
    .values([household('105', '田中家', x.blocks.block2.id), household('106', '伊藤家', x.blocks.block2.id), household('107', '渡辺家', x.blocks.block1.id)])
    .returning('id')
    .execute();
  const memberE = await db
    .insertInto('people')
    .values({ association_id: x.association.id, household_id: E!.id, name: '田中 トメ', phone: '0774001234' })
    .returning('id')
    .executeTakeFirstOrThrow();
  unregistered = { E: E!.id, F: F!.id, G: G!.id, memberE: memberE.id };
});

afterAll(() => stopSuite({ server, database }));

const numbers = (body: { items: { householdNumber: string }[] }) => body.items.map((i) => i.householdNumber);

describe('invitation letters', () => {
  it('an officer gets one letter per unregistered home of 2班, with its QR code, and none for registered homes', async () => {
    const officer = await loggedInClient(server, x.logins.officer);
    const letters = await officer.post('/api/passcodes/letters', { blockId: x.blocks.block2.id });
    expect(letters.status).toBe(200);
    expect(numbers(letters.body)).toEqual(['105', '106']);
    for (const letter of letters.body.items) {
      expect(letter.qrSvg).toContain('<svg');
      expect(letter.joinUrl).toBe(`http://localhost:3000/join?code=${letter.code}`);
    }
    // The letter's code works on the join page.
    const lookup = await new ApiClient(server.baseUrl).post('/api/join/lookup', { code: letters.body.items[0].code });
    expect(lookup.body.household.name).toBe('田中家');
  });

  it('a registered home is never in them, even when asked for by id', async () => {
    const officer = await loggedInClient(server, x.logins.officer);
    const letters = await officer.post('/api/passcodes/letters', { householdIds: [x.households.B.id, x.households.D.id, x.households.A.id, unregistered.G] });
    expect(letters.status).toBe(200);
    expect(numbers(letters.body)).toEqual(['107']);
    const none = await officer.post('/api/passcodes/letters', { householdIds: [x.households.B.id] });
    expect(none.body.items).toEqual([]);
    // No code was issued for the registered home: the issue is audited with the count.
    const issued = await database.db.selectFrom('household_passcodes').select('id').where('household_id', '=', x.households.B.id).execute();
    expect(issued).toEqual([]);
  });

  it('a 班長 prints only their own 班', async () => {
    const captain2 = await loggedInClient(server, x.logins.captain2);
    expect(numbers((await captain2.post('/api/passcodes/letters', { blockId: x.blocks.block2.id })).body)).toEqual(['105', '106']);
    // By ids, another 班's homes are left out; naming another 班 is a 404 like a 班 that does not exist.
    expect(numbers((await captain2.post('/api/passcodes/letters', { householdIds: [unregistered.G, unregistered.F] })).body)).toEqual(['106']);
    expect((await captain2.post('/api/passcodes/letters', { blockId: x.blocks.block1.id })).status).toBe(404);
    const member = await loggedInClient(server, x.logins.memberA);
    expect((await member.post('/api/passcodes/letters', { blockId: x.blocks.block1.id })).status).toBe(403);
    expect((await captain2.post('/api/passcodes/letters', {})).body.error.field).toBe('blockId');
  });

  it("a reprint leaves the letters already handed out working (each code once); a new passcode sheet voids them", async () => {
    const captain2 = await loggedInClient(server, x.logins.captain2);
    const letterFor = async () => (await captain2.post('/api/passcodes/letters', { householdIds: [unregistered.F] })).body.items[0].code as string;
    const first = await letterFor();
    const reprint = await letterFor();
    expect(reprint).not.toBe(first);
    const joinF = (code: string, n: number) =>
      new ApiClient(server.baseUrl).post('/api/join', { code, name: `伊藤 ${n}`, email: `ito${n}-uptake@example.jp`, password: 'ito-password' });
    // The first letter's code still joins after the reprint, and only once.
    expect((await joinF(first, 1)).status).toBe(200);
    expect((await joinF(first, 2)).body.error.field).toBe('code');
    // The officers' sheet still replaces what was handed out before: the reprinted letter stops working.
    const officer = await loggedInClient(server, x.logins.officer);
    expect((await officer.post('/api/passcodes', { householdIds: [unregistered.F] })).status).toBe(200);
    expect((await joinF(reprint, 3)).body.error.field).toBe('code');
    await database.db.deleteFrom('people').where('household_id', '=', unregistered.F).execute();
  });
});

describe("a 班長's list of unregistered homes", () => {
  it('lists the homes of their 班 nobody can reach through the app, with members and phones', async () => {
    const captain2 = await loggedInClient(server, x.logins.captain2);
    const list = await captain2.get(`/api/blocks/${x.blocks.block2.id}/unregistered`);
    expect(list.status).toBe(200);
    expect(list.body.block.name).toBe('2班');
    expect(list.body.householdCount).toBe(4);
    expect(numbers(list.body)).toEqual(['105', '106']);
    expect(list.body.items[0]).toMatchObject({ householdName: '田中家', channels: ['paper'], members: [{ name: '田中 トメ', phone: '0774001234' }] });
    expect((await captain2.get(`/api/blocks/${x.blocks.block1.id}/unregistered`)).status).toBe(404);
  });
});

describe('help desk', () => {
  it('an officer issues a code for a household, the resident joins on the spot, and the home counts as registered', async () => {
    const officer = await loggedInClient(server, x.logins.officer);
    const desk = await officer.post(`/api/households/${unregistered.E}/help-desk-passcode`);
    expect(desk.status).toBe(200);
    expect(desk.body.householdName).toBe('田中家');
    expect(desk.body.qrSvg).toContain('<svg');

    const phone = new ApiClient(server.baseUrl);
    const joined = await phone.post('/api/join', { code: desk.body.code, personId: unregistered.memberE, phone: '0774001234', password: 'tome-password' });
    expect(joined.status).toBe(200);
    expect(joined.body.roles.household.id).toBe(unregistered.E);

    const members = (await officer.get(`/api/households/${unregistered.E}`)).body.members;
    expect(members).toEqual([expect.objectContaining({ name: '田中 トメ', hasAccount: true, livesElsewhere: false })]);
    expect(numbers((await officer.get(`/api/blocks/${x.blocks.block2.id}/unregistered`)).body)).toEqual(['106']);
    expect(numbers((await officer.post('/api/passcodes/letters', { blockId: x.blocks.block2.id })).body)).toEqual(['106']);
    const audit = await database.db.selectFrom('audit_log').select(['action', 'actor_person_id']).where('subject', '=', unregistered.E).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['help_desk.passcode_issued', 'household.joined']));
    expect(audit.find((a) => a.action === 'help_desk.passcode_issued')?.actor_person_id).toBe(x.people.officer.id);
  });

  it('is the officers’: a 班長 is refused, another association does not see the household', async () => {
    const captain2 = await loggedInClient(server, x.logins.captain2);
    expect((await captain2.post(`/api/households/${unregistered.F}/help-desk-passcode`)).status).toBe(403);
    const y = await seedAssociation(database.db, 'y-uptake');
    const officerY = new ApiClient(server.baseUrl);
    await officerY.login(y.logins.officer, PASSWORD);
    expect((await officerY.post(`/api/households/${unregistered.F}/help-desk-passcode`)).status).toBe(404);
  });
});

describe('family living elsewhere', () => {
  it('join a household with their own logins up to the limit; the next is a 409 naming the code, and so is the next invitation', async () => {
    const member = await loggedInClient(server, x.logins.memberA);
    const invite = async () => {
      const invitation = await member.post(`/api/households/${x.households.A.id}/family-invitation`);
      expect(invitation.status).toBe(200);
      return invitation.body.code as string;
    };
    const join = (code: string, n: number) =>
      new ApiClient(server.baseUrl).post('/api/join', { code, name: `山田 家族${n}`, email: `family${n}-uptake@example.jp`, password: 'family-password', livesElsewhere: true });
    // Household A has one login (山田 花子): four more fit.
    for (let n = 1; n <= 3; n++) expect((await join(await invite(), n)).status).toBe(200);
    // Two invitations sent while one place is left: a second invitation does not void the first.
    const [fourth, fifth] = [await invite(), await invite()];
    expect((await join(fourth, 4)).status).toBe(200);
    const full = await join(fifth, 5);
    expect(full.status).toBe(409);
    expect(full.body.error).toMatchObject({ code: 'household_full', field: 'code' });
    // A household at the limit is refused the invitation itself, before any code is sent.
    const refused = await member.post(`/api/households/${x.households.A.id}/family-invitation`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'household_full', field: 'id' });

    const household = (await member.get(`/api/households/${x.households.A.id}`)).body;
    expect(household.members.filter((m: { livesElsewhere: boolean }) => m.livesElsewhere).map((m: { name: string }) => m.name).sort()).toEqual(['山田 家族1', '山田 家族2', '山田 家族3', '山田 家族4']);
    expect(household.members.find((m: { name: string }) => m.name === '山田 花子').livesElsewhere).toBe(false);
    // The family member's login is theirs and belongs to the household.
    const family = new ApiClient(server.baseUrl);
    expect((await family.login('family1-uptake@example.jp', 'family-password')).roles.household?.id).toBe(x.households.A.id);
  });

  it('the join page is told how many logins are left', async () => {
    const officer = await loggedInClient(server, x.logins.officer);
    const invitation = await officer.post(`/api/households/${x.households.B.id}/family-invitation`);
    const lookup = await new ApiClient(server.baseUrl).post('/api/join/lookup', { code: invitation.body.code });
    expect(lookup.body.loginsLeft).toBe(4);
  });

  it('only the household itself and officers invite family', async () => {
    const member = await loggedInClient(server, x.logins.memberA);
    expect((await member.post(`/api/households/${x.households.B.id}/family-invitation`)).status).toBe(404);
    const captain1 = await loggedInClient(server, x.logins.captain1);
    expect((await captain1.post(`/api/households/${x.households.A.id}/family-invitation`)).status).toBe(403);
    const watcher = await loggedInClient(server, x.logins.watcherA);
    expect((await watcher.post(`/api/households/${x.households.A.id}/family-invitation`)).status).toBe(403);
  });
});

describe('a home whose only login is family living elsewhere', () => {
  it('still gets its letter, and its resident still counts as living alone in a drill', async () => {
    const db = database.db;
    await db.insertInto('people').values({ association_id: x.association.id, household_id: unregistered.F, name: '伊藤 ハル' }).execute();
    const officer = await loggedInClient(server, x.logins.officer);
    const invitation = await officer.post(`/api/households/${unregistered.F}/family-invitation`);
    expect(invitation.status).toBe(200);
    const joined = await new ApiClient(server.baseUrl).post('/api/join', {
      code: invitation.body.code, name: '伊藤 健一', email: 'kenichi-uptake@example.jp', password: 'family-password', livesElsewhere: true,
    });
    expect(joined.status).toBe(200);

    // The son in another city has a login, but his mother still has none: her home is unregistered.
    const letters = await officer.post('/api/passcodes/letters', { blockId: x.blocks.block2.id });
    expect(numbers(letters.body)).toContain('106');
    // And she lives alone: the drill's visit list ranks her home with that risk.
    const drill = await officer.post('/api/drills', {
      kind: 'drill', title: '訓練', message: '', announced: false, targetBlockIds: [x.blocks.block2.id], deadlineAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(drill.status).toBe(201);
    const target = await db.selectFrom('drill_targets').select('risk').where('drill_id', '=', drill.body.id).where('household_id', '=', unregistered.F).executeTakeFirstOrThrow();
    expect(target.risk).toContain('lives_alone');
  });
});

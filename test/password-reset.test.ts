import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import { sql } from 'kysely';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { loggedInClient, startSuite, stopSuite } from './support/suite.js';

/**
 * Forgotten passwords over real HTTP and PostgreSQL: an officer issues a one-time reset code
 * for a person; the person sets a new password with it on /reset.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let y: SeededAssociation;

// Passcode-like limits: 5 × 3 = 15 reset attempts per address per 15 minutes.
beforeAll(async () => {
  ({ database, server, x } = await startSuite({ server: { loginRateLimit: 5 } }));
  y = await seedAssociation(database.db, 'y');
});
afterAll(() => stopSuite({ server, database }));

/** Issuing asks for the officer's own current password (every seeded login has PASSWORD). */
const issue = (client: ApiClient, personId: string, password = PASSWORD) => client.post(`/api/people/${personId}/password-reset-code`, { password });
const reset = (client: ApiClient, code: string, newPassword: string) => client.post('/api/password-reset', { code, newPassword });
const loginStatus = async (identifier: string, password: string) => (await new ApiClient(server.baseUrl).post('/api/auth/login', { identifier, password })).status;

/** A person with a login in household C of X, made for one test (a reset ends their sessions). */
async function newResident(name: string) {
  const { hashPassword } = await import('../server/src/auth/password.js');
  const email = `${name}-${Date.now()}@example.jp`;
  const person = await database.db
    .insertInto('people')
    .values({ association_id: x.association.id, household_id: x.households.C.id, name, email, password_hash: await hashPassword(PASSWORD) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: person.id, email };
}

/** A second officer of X, made for one test (their allowance of password attempts is their own). */
async function newOfficer(name: string) {
  const officer = await newResident(name);
  await database.db.insertInto('role_assignments').values({ association_id: x.association.id, person_id: officer.id, role: 'officer' }).execute();
  return officer;
}

const usableCodes = (personId: string) =>
  database.db.selectFrom('password_reset_codes').select('id').where('person_id', '=', personId).where('used_at', 'is', null).where('expires_at', '>', new Date()).execute();

describe('issuing a code and setting a new password with it', () => {
  it('sets the password, spends the code, ends every old session and logs the person in', async () => {
    const resident = await newResident('reset-a');
    const phone = await loggedInClient(server, resident.email);
    const tablet = await loggedInClient(server, resident.email);
    const officer = await loggedInClient(server, x.logins.officer);

    const issued = await issue(officer, resident.id);
    expect(issued.status).toBe(200);
    expect(issued.body.code).toMatch(/^[A-Z2-9]{8}$/);
    expect(issued.body.resetUrl).toBe(`http://localhost:3000/reset?code=${issued.body.code}`);
    expect(issued.body.qrSvg).toContain('<svg');
    expect(issued.body.personName).toBe('reset-a');
    // About 72 hours from now.
    expect(Date.parse(issued.body.expiresAt) - Date.now()).toBeGreaterThan(71 * 3600_000);
    expect(Date.parse(issued.body.expiresAt) - Date.now()).toBeLessThanOrEqual(72 * 3600_000);

    // Typed from the slip in lower case with a hyphen, as people do.
    const browser = new ApiClient(server.baseUrl);
    const done = await reset(browser, issued.body.code.toLowerCase().replace(/(....)/, '$1-'), 'new-password-2026');
    expect(done.status).toBe(200);
    expect(done.body.person.id).toBe(resident.id);
    // Logged in on this device straight away.
    expect((await browser.get('/api/session')).body.person.id).toBe(resident.id);

    // Every session before the reset has ended.
    // (Who-am-I answers null for nobody: it is public, so no 401 is logged on the login page.)
    for (const device of [phone, tablet]) {
      const session = await device.get('/api/session');
      expect(session.status).toBe(200);
      expect(session.body).toBeNull();
    }
    // The new password logs in, the old one no longer does.
    expect(await loginStatus(resident.email, 'new-password-2026')).toBe(200);
    expect(await loginStatus(resident.email, PASSWORD)).toBe(401);

    // The code works once.
    const again = await reset(new ApiClient(server.baseUrl), issued.body.code, 'another-password');
    expect(again.status).toBe(400);
    expect(again.body.error.field).toBe('code');
    expect(await loginStatus(resident.email, 'another-password')).toBe(401);

    // Both steps are in the audit log, the code in neither.
    const audit = await database.db.selectFrom('audit_log').select(['action', 'actor_person_id', 'detail']).where('subject', '=', resident.id).orderBy('at').execute();
    expect(audit.map((a) => [a.action, a.actor_person_id])).toEqual([
      ['person.password_reset_issued', x.people.officer.id],
      ['person.password_reset', resident.id],
    ]);
    expect(audit[1]!.detail).toMatchObject({ issuedBy: x.people.officer.id, endedSessions: 2 });
    // Both name the code's row (never the code), so the redemption is traced to its issue.
    const [codeRow] = await database.db.selectFrom('password_reset_codes').select('id').where('person_id', '=', resident.id).execute();
    expect(audit[0]!.detail).toMatchObject({ codeId: codeRow!.id });
    expect(audit[1]!.detail).toMatchObject({ codeId: codeRow!.id });
    expect(JSON.stringify(audit)).not.toContain(issued.body.code);
    // Only the code's hash is stored.
    const stored = await database.db.selectFrom('password_reset_codes').select('code_hash').where('person_id', '=', resident.id).execute();
    expect(stored.map((r) => r.code_hash)).not.toContain(issued.body.code);
  });

  it('lets a person who used up their login attempts guessing log in with the new password at once', async () => {
    const resident = await newResident('reset-locked-out');
    for (let i = 0; i < 5; i++) expect(await loginStatus(resident.email, `guess-${i}`)).toBe(401);
    expect(await loginStatus(resident.email, PASSWORD)).toBe(429);
    const officer = await loggedInClient(server, x.logins.officer);
    const issued = await issue(officer, resident.id);
    expect((await reset(new ApiClient(server.baseUrl), issued.body.code, 'new-password-2026')).status).toBe(200);
    expect(await loginStatus(resident.email, 'new-password-2026')).toBe(200);
  });

  it('refuses an expired code, a used code and a wrong code with the same 400 naming code', async () => {
    const resident = await newResident('reset-expired');
    const officer = await loggedInClient(server, x.logins.officer);
    const issued = await issue(officer, resident.id);
    await database.db.updateTable('password_reset_codes').set({ expires_at: new Date(Date.now() - 1000) }).where('person_id', '=', resident.id).execute();
    const expired = await reset(new ApiClient(server.baseUrl), issued.body.code, 'new-password-2026');
    const wrong = await reset(new ApiClient(server.baseUrl), 'ZZZZ2222', 'new-password-2026');
    expect(expired.status).toBe(400);
    expect(wrong.status).toBe(400);
    expect(expired.body.error).toEqual(wrong.body.error);
    expect(expired.body.error.field).toBe('code');
    expect(await loginStatus(resident.email, PASSWORD)).toBe(200);
  });

  it('a new code voids the older unused one', async () => {
    const resident = await newResident('reset-twice');
    const officer = await loggedInClient(server, x.logins.officer);
    const first = await issue(officer, resident.id);
    const second = await issue(officer, resident.id);
    const old = await reset(new ApiClient(server.baseUrl), first.body.code, 'first-password');
    expect(old.status).toBe(400);
    expect(old.body.error.field).toBe('code');
    expect((await reset(new ApiClient(server.baseUrl), second.body.code, 'second-password')).status).toBe(200);
    expect(await loginStatus(resident.email, 'second-password')).toBe(200);
  });

  it('names the field of bad input, and writes nothing: the code still works afterwards', async () => {
    const resident = await newResident('reset-bad-input');
    const officer = await loggedInClient(server, x.logins.officer);
    const issued = await issue(officer, resident.id);
    const short = await reset(new ApiClient(server.baseUrl), issued.body.code, 'short');
    expect(short.status).toBe(400);
    expect(short.body.error.field).toBe('newPassword');
    const malformed = await reset(new ApiClient(server.baseUrl), 'abc', 'new-password-2026');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.field).toBe('code');
    expect(await loginStatus(resident.email, PASSWORD)).toBe(200);
    expect((await reset(new ApiClient(server.baseUrl), issued.body.code, 'new-password-2026')).status).toBe(200);
  });

  it('a code redeemed twice at the same moment sets one password', async () => {
    const resident = await newResident('reset-race');
    const officer = await loggedInClient(server, x.logins.officer);
    const issued = await issue(officer, resident.id);
    const answers = await Promise.all(['race-password-1', 'race-password-2'].map((p) => reset(new ApiClient(server.baseUrl), issued.body.code, p)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
    const winner = answers[0]!.status === 200 ? 'race-password-1' : 'race-password-2';
    expect(await loginStatus(resident.email, winner)).toBe(200);
  });
});

describe('who may issue a code, for whom', () => {
  it('refuses a 班長, a resident, a volunteer and a family watcher with 403, writing nothing', async () => {
    for (const who of [x.logins.captain1, x.logins.memberB, x.logins.volunteer, x.logins.watcherA]) {
      const client = await loggedInClient(server, who);
      expect((await issue(client, x.people.memberA.id)).status, who).toBe(403);
    }
    expect(await database.db.selectFrom('password_reset_codes').select('id').where('person_id', '=', x.people.memberA.id).execute()).toEqual([]);
  });

  it("answers another association's officer 404 for X's people, as for someone who does not exist", async () => {
    const officerY = await loggedInClient(server, y.logins.officer);
    const response = await issue(officerY, x.people.memberA.id);
    expect(response.status).toBe(404);
    expect(response.text).not.toContain('山田 花子');
    expect((await issue(officerY, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect(await database.db.selectFrom('password_reset_codes').select('id').where('person_id', '=', x.people.memberA.id).execute()).toEqual([]);
  });

  it("a code of Y's officer works only for Y's person", async () => {
    const officerY = await loggedInClient(server, y.logins.officer);
    const issued = await issue(officerY, y.people.memberB.id);
    expect(issued.status).toBe(200);
    const done = await reset(new ApiClient(server.baseUrl), issued.body.code, 'y-member-password');
    expect(done.body.person.id).toBe(y.people.memberB.id);
    expect(done.body.association.id).toBe(y.association.id);
    expect(await loginStatus(x.logins.memberB, PASSWORD)).toBe(200);
  });

  it('lets an officer issue one for a fellow officer, never for themself', async () => {
    const fellow = await newResident('reset-officer');
    await database.db.insertInto('role_assignments').values({ association_id: x.association.id, person_id: fellow.id, role: 'officer' }).execute();
    const officer = await loggedInClient(server, x.logins.officer);
    expect((await issue(officer, fellow.id)).status).toBe(200);
    const self = await issue(officer, x.people.officer.id);
    expect(self.status).toBe(403);
  });

  it('answers 409 for a person who has no login (a join passcode is what they need)', async () => {
    const person = await database.db.insertInto('people').values({ association_id: x.association.id, household_id: x.households.D.id, name: 'ログインなし' }).returning('id').executeTakeFirstOrThrow();
    const officer = await loggedInClient(server, x.logins.officer);
    const response = await issue(officer, person.id);
    expect(response.status).toBe(409);
    expect(response.body.error.field).toBe('id');
  });
});

describe('a stolen officer session', () => {
  it('issues nothing without the officer re-entering their own password: 400 naming password, nothing written', async () => {
    const resident = await newResident('reset-stolen');
    const officer = await loggedInClient(server, x.logins.officer);
    const wrong = await issue(officer, resident.id, 'not-the-password');
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.field).toBe('password');
    expect(wrong.text).not.toContain('reset-stolen');
    const missing = await officer.post(`/api/people/${resident.id}/password-reset-code`, {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe('password');
    expect(await database.db.selectFrom('password_reset_codes').select('id').where('person_id', '=', resident.id).execute()).toEqual([]);
    expect(await database.db.selectFrom('audit_log').select('id').where('subject', '=', resident.id).execute()).toEqual([]);
  });

  it("slows guessing the officer's password like a password change (one allowance for both)", async () => {
    const fellow = await newOfficer('reset-guessing-officer');
    const resident = await newResident('reset-guessed');
    const stolen = await loggedInClient(server, fellow.email);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await issue(stolen, resident.id, `guess-${i}`)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400]);
    // The allowance is spent: the right password is refused too, and so is a password change.
    expect((await issue(stolen, resident.id)).status).toBe(429);
    expect((await stolen.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'taken-over-2026' })).status).toBe(429);
    expect(await usableCodes(resident.id)).toEqual([]);
  });
});

describe('a code stops working', () => {
  it('when the person changes their password themselves', async () => {
    const resident = await newResident('reset-changed-own');
    const officer = await loggedInClient(server, x.logins.officer);
    const issued = await issue(officer, resident.id);
    const own = await loggedInClient(server, resident.email);
    expect((await own.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'my-own-choice-2026' })).status).toBe(200);
    const stale = await reset(new ApiClient(server.baseUrl), issued.body.code, 'someone-elses-2026');
    expect(stale.status).toBe(400);
    expect(stale.body.error.field).toBe('code');
    expect(await loginStatus(resident.email, 'my-own-choice-2026')).toBe(200);
  });

  it('when its issuer is no longer an officer of the association', async () => {
    const former = await newOfficer('reset-former-officer');
    const resident = await newResident('reset-orphaned');
    const issued = await issue(await loggedInClient(server, former.email), resident.id);
    expect(issued.status).toBe(200);
    // Their term ended yesterday.
    await database.db.updateTable('role_assignments').set({ starts_on: '2000-01-01', ends_on: sql<string>`current_date - 1` }).where('person_id', '=', former.id).execute();
    const answer = await reset(new ApiClient(server.baseUrl), issued.body.code, 'new-password-2026');
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('code');
    expect(await loginStatus(resident.email, PASSWORD)).toBe(200);
  });
});

describe('what a reset ends', () => {
  it("removes the person's push subscriptions (another holder of the account stops getting pushes)", async () => {
    const resident = await newResident('reset-push');
    const other = await newResident('reset-push-other');
    for (const [person, endpoint] of [[resident.id, 'https://push.example/reset-push'], [other.id, 'https://push.example/reset-push-other']] as const) {
      await database.db.insertInto('push_subscriptions').values({ association_id: x.association.id, person_id: person, endpoint, p256dh: 'key', auth: 'auth' }).execute();
    }
    const issued = await issue(await loggedInClient(server, x.logins.officer), resident.id);
    expect((await reset(new ApiClient(server.baseUrl), issued.body.code, 'new-password-2026')).status).toBe(200);
    const left = await database.db.selectFrom('push_subscriptions').select('endpoint').where('person_id', 'in', [resident.id, other.id]).execute();
    expect(left.map((r) => r.endpoint)).toEqual(['https://push.example/reset-push-other']);
  });

  it("sends session:ended to the person's open sockets", async () => {
    const resident = await newResident('reset-socket');
    const device = await loggedInClient(server, resident.email);
    const socket: Socket = connectSocket(server.baseUrl, { extraHeaders: { cookie: device.cookie }, transports: ['websocket'], reconnection: false });
    try {
      const ended = new Promise<void>((resolve) => socket.on('session:ended', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        socket.on('connect', () => resolve());
        socket.on('connect_error', reject);
      });
      const issued = await issue(await loggedInClient(server, x.logins.officer), resident.id);
      // Issuing ends nothing: only the redemption does.
      expect(socket.connected).toBe(true);
      expect((await reset(new ApiClient(server.baseUrl), issued.body.code, 'new-password-2026')).status).toBe(200);
      await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error('no session:ended within 5 s')), 5000))]);
    } finally {
      socket.close();
    }
  });
});

describe('two officers issuing at once', () => {
  it('leave exactly one usable code, and only that one works', async () => {
    const resident = await newResident('reset-two-officers');
    const second = await newOfficer('reset-second-officer');
    const officers = [await loggedInClient(server, x.logins.officer), await loggedInClient(server, second.email)];
    // Several rounds: without the lock on the person's row, two concurrent issues each void
    // nothing yet and both insert.
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([...officers, ...officers].map((o) => issue(o, resident.id)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect(await usableCodes(resident.id)).toHaveLength(1);
      if (round < 2) continue;
      // Of the four slips handed out, one sets the password; the others are refused. (The
      // file's earlier redemptions share this address's allowance: start it afresh.)
      await database.db.deleteFrom('rate_limits').execute();
      const redeemed: number[] = [];
      for (const [i, answer] of answers.entries()) redeemed.push((await reset(new ApiClient(server.baseUrl), answer.body.code, `two-officers-${i}`)).status);
      expect(redeemed.filter((status) => status === 200)).toHaveLength(1);
      expect(redeemed.filter((status) => status === 400)).toHaveLength(3);
    }
  });
});

describe('rate limit', () => {
  it('slows guessing per address like passcode redemption; the right code is refused too while limited', async () => {
    const resident = await newResident('reset-limited');
    const officer = await loggedInClient(server, x.logins.officer);
    const issued = await issue(officer, resident.id);
    await database.db.deleteFrom('rate_limits').execute();
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) statuses.push((await reset(new ApiClient(server.baseUrl), `WRONG${String(i).padStart(3, '2')}`.slice(0, 8), 'new-password-2026')).status);
    expect(statuses.slice(0, 15).every((s) => s === 400)).toBe(true);
    expect(statuses[15]).toBe(429);
    expect((await reset(new ApiClient(server.baseUrl), issued.body.code, 'new-password-2026')).status).toBe(429);
    expect(await loginStatus(resident.email, PASSWORD)).toBe(200);
  });
});

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import { HttpError } from '../platform/http/errors.js';
import { phoneSchema, type JoinRequest, type SessionView } from '../contracts/http.js';
import { hashPassword, verifyPassword } from './password.js';
import { deleteSession, findActorRoles, findLiveSession, insertSession } from './session.repository.js';
import type { Actor } from '../common/access.js';
import type { Language } from '../platform/db/schema.js';
import type { Realtime } from '../platform/realtime/realtime.js';

export const SESSION_COOKIE = 'tonari_session';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export interface SessionContext {
  db: Db;
  sessionTtlHours: number;
  realtime: Pick<Realtime, 'endSessions'>;
}

/** The same words for a wrong identifier and a wrong password: no account enumeration. */
const WRONG_CREDENTIALS = 'The email or phone number, or the password, is not correct.';

/**
 * What a login identifier names: an email address compared case-blind, or a phone number
 * however it is written (hyphens, spaces, full-width digits, +81). The login lookup and the
 * rate limit both use this, so every spelling of one person's identifier is one person.
 */
export function loginIdentity(identifier: string): { kind: 'email' | 'phone' | 'other'; value: string } {
  if (identifier.includes('@')) return { kind: 'email', value: identifier.trim().toLowerCase() };
  const phone = phoneSchema.safeParse(identifier);
  if (phone.success) return { kind: 'phone', value: phone.data.replace(/^\+81/, '0') };
  // Matches no account; still limited, by what was typed.
  return { kind: 'other', value: identifier.trim().toLowerCase() };
}

export async function login(ctx: SessionContext, identifier: string, password: string) {
  const person = await findLoginPerson(ctx.db, loginIdentity(identifier));
  // Unknown accounts are checked against a decoy hash: the same answer in the same time.
  const ok = await verifyPassword(person?.password_hash ?? null, password);
  if (!person || !ok) throw new HttpError(401, 'wrong_credentials', WRONG_CREDENTIALS);
  return startSession(ctx, person.id, person.association_id);
}

async function findLoginPerson(db: Db, identity: ReturnType<typeof loginIdentity>) {
  const query = db.selectFrom('people').select(['id', 'association_id', 'password_hash']).where('password_hash', 'is not', null);
  if (identity.kind === 'email') return query.where(sql`lower(email)`, '=', identity.value).executeTakeFirst();
  if (identity.kind === 'other') return undefined;
  // Stored numbers are written as typed by officers: 0… or +81….
  return query.where('phone', 'in', phoneSpellings(identity.value)).executeTakeFirst();
}

/** A number as stored: officers write 090… or +8190…. */
const phoneSpellings = (national: string) => [national, national.replace(/^0/, '+81')];

/** 32 random bytes in base64url, as startSession makes them. */
const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export async function startSession(ctx: SessionContext, personId: string, associationId: string) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ctx.sessionTtlHours * 3600_000);
  // Only the hash is stored: a leaked sessions table does not let anyone in.
  await insertSession(ctx.db, { id: sha256(token), personId, associationId, csrfToken: randomBytes(24).toString('base64url'), expiresAt });
  const actor = await loadActorBySessionId(ctx.db, sha256(token));
  return { token, expiresAt, actor: actor! };
}

export async function logout(ctx: SessionContext, actor: Actor) {
  await deleteSession(ctx.db, actor.sessionId);
  ctx.realtime.endSessions([actor.sessionId]);
}

/**
 * A new password ends every other session of the person (the reason to change it is often
 * that someone else may know it), and drops their sockets on every instance; this one stays.
 */
export async function changePassword(ctx: SessionContext, actor: Actor, currentPassword: string, newPassword: string) {
  const person = await ctx.db.selectFrom('people').select('password_hash').where('id', '=', actor.personId).executeTakeFirst();
  if (!(await verifyPassword(person?.password_hash ?? null, currentPassword))) {
    throw new HttpError(400, 'wrong_password', 'The current password is not correct.', 'currentPassword');
  }
  const passwordHash = await hashPassword(newPassword);
  const ended = await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('people').set({ password_hash: passwordHash }).where('id', '=', actor.personId).execute();
    const rows = await trx.deleteFrom('sessions').where('person_id', '=', actor.personId).where('id', '!=', actor.sessionId).returning('id').execute();
    await trx
      .insertInto('audit_log')
      .values({ association_id: actor.associationId, actor_person_id: actor.personId, action: 'person.password_changed', subject: actor.personId, detail: { endedSessions: rows.length } })
      .execute();
    return rows.map((r) => r.id);
  });
  ctx.realtime.endSessions(ended);
  return { endedSessions: ended.length };
}

export interface LoadedActor extends Actor {
  csrfToken: string;
  /** When the session ends by itself: its sockets are dropped then. */
  expiresAt: Date;
  view: SessionView;
}

export async function loadActorByToken(db: Db, token: string | undefined): Promise<LoadedActor | undefined> {
  // Only a token of the shape startSession makes can name a session: anything else (NUL,
  // broken UTF-16, a huge value) never reaches a query.
  if (!token || !SESSION_TOKEN.test(token)) return undefined;
  return loadActorBySessionId(db, sha256(token));
}

export async function loadActorBySessionId(db: Db, sessionId: string): Promise<LoadedActor | undefined> {
  const session = await findLiveSession(db, sessionId);
  if (!session) return undefined;
  const found = await findActorRoles(db, session.person_id);
  if (!found) return undefined;
  const { person, roles } = found;
  const captainOf = roles.filter((r) => r.role === 'captain' && r.block_id);
  const watcherOf = roles.filter((r) => r.role === 'family_watcher' && r.household_id);
  const actor: Actor = {
    sessionId,
    personId: person.id,
    associationId: person.association_id,
    officer: roles.some((r) => r.role === 'officer'),
    captainOf: [...new Set(captainOf.map((r) => r.block_id!))],
    volunteer: roles.some((r) => r.role === 'volunteer'),
    welfareCommissioner: roles.some((r) => r.role === 'welfare_commissioner'),
    watcherOf: watcherOf.map((r) => r.household_id!),
    householdId: person.household_id,
  };
  const view: SessionView = {
    person: { id: person.id, name: person.name, preferredLanguage: person.preferred_language },
    association: { id: person.association_id, name: person.association_name },
    roles: {
      officer: actor.officer,
      captainOf: captainOf.map((r) => ({ id: r.block_id!, name: r.block_name ?? '' })),
      volunteer: actor.volunteer,
      welfareCommissioner: actor.welfareCommissioner,
      watcherOf: watcherOf.map((r) => ({ id: r.household_id!, name: r.household_name ?? '' })),
      household: person.household_id ? { id: person.household_id, name: person.household_name ?? '' } : null,
    },
    csrfToken: session.csrf_token,
  };
  return { ...actor, csrfToken: session.csrf_token, expiresAt: new Date(session.expires_at), view };
}

export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function updatePreferredLanguage(db: Db, actor: Actor, language: Language) {
  await db.updateTable('people').set({ preferred_language: language }).where('id', '=', actor.personId).execute();
}

// ── Household onboarding by one-time passcode ─────────────────────────────────────────

// No 0/O or 1/I: the code is read off paper by people with weak eyesight.
const PASSCODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function generatePasscode(): string {
  const bytes = randomBytes(8);
  return Array.from(bytes, (b) => PASSCODE_ALPHABET[b % PASSCODE_ALPHABET.length]).join('');
}

export const hashPasscode = sha256;

const WRONG_PASSCODE = 'This code is not valid. It may have been used already or expired; ask your association for a new sheet.';

async function findUsablePasscode(db: Db, code: string) {
  const found = await db
    .selectFrom('household_passcodes')
    .innerJoin('households', 'households.id', 'household_passcodes.household_id')
    .innerJoin('blocks', 'blocks.id', 'households.block_id')
    .select([
      'household_passcodes.id',
      'household_passcodes.household_id',
      'household_passcodes.association_id',
      'households.name as household_name',
      'blocks.name as block_name',
    ])
    .where('household_passcodes.code_hash', '=', hashPasscode(code))
    .where('household_passcodes.used_at', 'is', null)
    .where('household_passcodes.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  if (!found) throw new HttpError(400, 'invalid_passcode', WRONG_PASSCODE, 'code');
  return found;
}

export async function lookupPasscode(db: Db, code: string) {
  const passcode = await findUsablePasscode(db, code);
  const members = await db
    .selectFrom('people')
    .select(['id', 'name', 'password_hash'])
    .where('household_id', '=', passcode.household_id)
    .orderBy('created_at')
    .execute();
  return {
    household: { name: passcode.household_name, blockName: passcode.block_name },
    members: members.map((m) => ({ id: m.id, name: m.name, hasAccount: m.password_hash !== null })),
  };
}

/**
 * Redeems a passcode: the chosen (or new) member of the household gets a login, and the
 * code is spent. Runs in one transaction that locks the passcode row, so a code redeemed
 * twice at the same moment logs in one person, not two.
 */
export async function joinWithPasscode(ctx: SessionContext, request: Omit<JoinRequest, 'preferredLanguage'> & { preferredLanguage: Language }) {
  const passwordHash = await hashPassword(request.password);
  const joined = await ctx.db.transaction().execute(async (trx) => {
    const passcode = await findUsablePasscode(trx, request.code);
    const locked = await trx
      .selectFrom('household_passcodes')
      .select('id')
      .where('id', '=', passcode.id)
      .where('used_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    if (!locked) throw new HttpError(400, 'invalid_passcode', WRONG_PASSCODE, 'code');

    // An email or phone number that is already another login's is not attached, and the
    // join goes on the same way: the answer must not tell a code holder whose address has a
    // login. (The new login then has no such identifier; the audit log says so, for the
    // officer who helps them.) Each try spends a one-time code, so probing costs paper.
    const contact = await freeContact(trx, request.email ?? null, request.phone ?? null, request.personId);
    let personId = request.personId;
    if (personId) {
      const member = await trx
        .updateTable('people')
        .set({
          password_hash: passwordHash,
          email: contact.email,
          phone: contact.phone,
          preferred_language: request.preferredLanguage,
        })
        .where('id', '=', personId)
        .where('household_id', '=', passcode.household_id)
        .where('password_hash', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!member) throw new HttpError(400, 'invalid_member', 'Choose a member of this household who has no login yet.', 'personId');
    } else {
      const created = await trx
        .insertInto('people')
        .values({
          association_id: passcode.association_id,
          household_id: passcode.household_id,
          name: request.name!,
          email: contact.email,
          phone: contact.phone,
          preferred_language: request.preferredLanguage,
          password_hash: passwordHash,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      personId = created.id;
    }
    await trx.updateTable('household_passcodes').set({ used_at: new Date(), used_by: personId }).where('id', '=', passcode.id).execute();
    await trx
      .insertInto('audit_log')
      .values({ association_id: passcode.association_id, actor_person_id: personId, action: 'household.joined', subject: passcode.household_id, detail: { contactInUse: contact.inUse } })
      .execute();
    return { personId, associationId: passcode.association_id };
  });
  return startSession(ctx, joined.personId, joined.associationId);
}

/** The email and phone number to attach to a new login: those already another login's are left out. */
async function freeContact(db: Db, email: string | null, phone: string | null, exceptPersonId?: string) {
  const normalisedEmail = email?.trim().toLowerCase() ?? null;
  // Both ways of writing one number, as the login lookup reads them.
  const phones = phone ? phoneSpellings(loginIdentity(phone).value) : [];
  const taken = await db
    .selectFrom('people')
    .select(['id', 'email', 'phone'])
    .where('password_hash', 'is not', null)
    .where((eb) => eb.or([...(normalisedEmail ? [eb(sql`lower(email)`, '=', normalisedEmail)] : []), ...(phones.length ? [eb('phone', 'in', phones)] : []), eb.lit(false)]))
    .$if(exceptPersonId !== undefined, (q) => q.where('id', '!=', exceptPersonId!))
    .execute();
  const emailTaken = !!normalisedEmail && taken.some((t) => t.email?.toLowerCase() === normalisedEmail);
  const phoneTaken = taken.some((t) => t.phone !== null && phones.includes(t.phone));
  return {
    email: emailTaken ? null : email,
    phone: phoneTaken ? null : phone,
    inUse: [...(emailTaken ? ['email'] : []), ...(phoneTaken ? ['phone'] : [])],
  };
}

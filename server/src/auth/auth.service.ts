import { HttpError } from '../platform/http/errors.js';
import type { Db } from '../platform/db/database.js';
import type { Jobs } from '../platform/jobs/jobs.js';
import { inTransaction } from '../platform/db/transaction.js';
import type { Language } from '../roster/roster.tables.js';
import { requireRole, type Actor } from '../common/access.js';
import { audit } from '../common/audit.repository.js';
import { setAssociationTimeZone } from '../common/association.repository.js';
import { replanForZone } from '../watch/watch.service.js';
import { hashPassword, verifyPassword } from './password.js';
import { loginIdentity, phoneSpellings, type LoginIdentity } from './login-identity.js';
import { loadActorBySessionId, startSession, type SessionContext } from './session.service.js';
import { deleteOtherSessions } from './session.repository.js';
import { voidUnusedResetCodes } from './password-reset.repository.js';
import { findLoginPerson as findLogin, findPasswordHash, setPasswordHash, setPreferredLanguage } from './auth.repository.js';

/**
 * Logging in and a person's own settings (password, language). Sessions are in
 * session.service.ts, joining a household by passcode in join.service.ts; both are
 * re-exported here, the one module the auth routes call.
 */
export { loginIdentity } from './login-identity.js';
export {
  SESSION_COOKIE,
  csrfMatches,
  loadActorBySessionId,
  loadActorByToken,
  logout,
  startSession,
  type LoadedActor,
  type SessionContext,
} from './session.service.js';
export { generatePasscode, hashPasscode, joinWithPasscode, lookupPasscode } from './join.service.js';

/** The same words for a wrong identifier and a wrong password: no account enumeration. */
const WRONG_CREDENTIALS = 'The email or phone number, or the password, is not correct.';

export async function login(ctx: SessionContext, identifier: string, password: string) {
  const person = await findLoginPerson(ctx.db, loginIdentity(identifier));
  // Unknown accounts are checked against a decoy hash: the same answer in the same time.
  const ok = await verifyPassword(person?.password_hash ?? null, password);
  if (!person || !ok) throw new HttpError(401, 'wrong_credentials', WRONG_CREDENTIALS);
  return startSession(ctx, person.id, person.association_id);
}

async function findLoginPerson(db: Db, identity: LoginIdentity) {
  if (identity.kind === 'email') return findLogin(db, { email: identity.value });
  if (identity.kind === 'other') return undefined;
  // Stored numbers are written as typed by officers: 0… or +81….
  return findLogin(db, { phones: phoneSpellings(identity.value) });
}

/**
 * A new password ends every other session of the person (the reason to change it is often
 * that someone else may know it), and drops their sockets on every instance; this one stays.
 * It also voids their unused password reset codes: a slip issued before is no longer needed,
 * and must not undo the password the person just chose.
 */
export async function changePassword(ctx: SessionContext, actor: Actor, currentPassword: string, newPassword: string) {
  const person = await findPasswordHash(ctx.db, actor.personId);
  if (!(await verifyPassword(person?.password_hash ?? null, currentPassword))) {
    throw new HttpError(400, 'wrong_password', 'The current password is not correct.', 'currentPassword');
  }
  const passwordHash = await hashPassword(newPassword);
  const ended = await inTransaction(ctx.db, ctx.log, async (tx) => {
    await setPasswordHash(tx.db, actor.personId, passwordHash);
    const rows = await deleteOtherSessions(tx.db, actor.personId, actor.sessionId);
    await voidUnusedResetCodes(tx.db, actor.personId);
    await audit(tx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'person.password_changed', subject: actor.personId, detail: { endedSessions: rows.length } });
    const ids = rows.map((r) => r.id);
    tx.afterCommit(() => ctx.realtime.endSessions(ids));
    return ids;
  });
  return { endedSessions: ended.length };
}

export async function updatePreferredLanguage(db: Db, actor: Actor, language: Language) {
  await setPreferredLanguage(db, actor.personId, language);
}

/**
 * An officer sets the association's time zone; answers the session as it now reads. The
 * watch plans its homes' checks by that clock, so it re-plans them in the same transaction
 * (and queues the relearning of their rhythms by the new clock with it).
 */
export async function updateAssociationTimeZone(ctx: Pick<SessionContext, 'db' | 'log'> & { jobs: Jobs }, actor: Actor, timeZone: string) {
  requireRole(actor.officer);
  await inTransaction(ctx.db, ctx.log, async (tx) => {
    await setAssociationTimeZone(tx.db, actor.associationId, timeZone);
    await replanForZone(ctx, tx, actor.associationId, timeZone);
    await audit(tx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'association.time_zone_changed', subject: actor.associationId, detail: { timeZone } });
  });
  return (await loadActorBySessionId(ctx.db, actor.sessionId))!.view;
}

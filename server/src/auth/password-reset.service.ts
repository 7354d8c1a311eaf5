import type { Logger } from '../platform/logger.js';
import { HttpError } from '../platform/http/errors.js';
import { inTransaction } from '../platform/db/transaction.js';
import { PASSWORD_RESET_HOURS, type ResetCodeIssued } from '../contracts/auth.js';
import { requireRole, requireVisible, type Actor } from '../common/access.js';
import { audit } from '../common/audit.repository.js';
import { canManageRoster } from '../roster/roster.policy.js';
import { hashPassword, verifyPassword } from './password.js';
import { generatePasscode, hashPasscode } from './join.service.js';
import { startSession, type SessionContext } from './session.service.js';
import { deleteAllSessions } from './session.repository.js';
import { findPasswordHash, setPasswordHash } from './auth.repository.js';
import { deletePersonSubscriptions } from '../push/push.repository.js';
import { canIssueResetCode } from './password-reset.policy.js';
import * as repo from './password-reset.repository.js';

/**
 * Forgotten passwords: an officer, re-entering their own password, issues a one-time reset
 * code for a person of their association who has a login (shown once, on screen and as a printed slip with a QR code);
 * the person sets a new password with it on /reset. The code is stored only as its hash,
 * works once, for PASSWORD_RESET_HOURS, and only while it is the person's newest. Setting the
 * password ends every session the person had and removes their devices' push subscriptions
 * (whoever forgot it may not be the only one who knew it) and logs them in, as joining does.
 * A code stops working when the person changes their password themselves, and when its
 * issuer is no longer an officer of the association. Issuing and redeeming are audited; the code never is.
 */

/** The same words for a wrong, an expired and a spent code: the answer tells a guesser nothing. */
const WRONG_CODE = 'This code is not valid. It may have been used already, replaced by a newer one, or expired; ask your association for a new one.';

export interface ResetContext {
  db: SessionContext['db'];
  log: Pick<Logger, 'error'>;
  publicUrl: string;
}

/** Officers only: decided before the route counts a password attempt or anything is read. */
export function requireResetIssuer(actor: Actor) {
  requireRole(canManageRoster(actor, actor.associationId));
}

/**
 * Issues a code after the officer re-enters their own current password (a stolen session
 * does not know it). A wrong one is answered like a wrong current password on the password
 * page (400 naming `password`) and writes nothing.
 */
export async function issueResetCode(ctx: ResetContext, actor: Actor, personId: string, password: string): Promise<ResetCodeIssued> {
  requireResetIssuer(actor);
  const issuer = await findPasswordHash(ctx.db, actor.personId);
  if (!(await verifyPassword(issuer?.password_hash ?? null, password))) {
    throw new HttpError(400, 'wrong_password', 'Your password is not correct: enter your own current password to issue a code.', 'password');
  }
  // Scoped to the actor's association in the query: another association's person is not found.
  const person = await repo.findResetTarget(ctx.db, actor.associationId, personId);
  requireVisible(!!person, 'person');
  if (!person!.has_login) {
    throw HttpError.conflict('This person has no login yet: give their household a join passcode (help desk) instead.', 'id');
  }
  const target = { id: person!.id, associationId: person!.association_id };
  if (target.id === actor.personId) throw HttpError.forbidden('Change your own password on the password page; it asks for your current one.');
  requireRole(canIssueResetCode(actor, target));

  const code = generatePasscode();
  const expiresAt = new Date(Date.now() + PASSWORD_RESET_HOURS * 3600_000);
  await inTransaction(ctx.db, ctx.log, async ({ db: trx }) => {
    // Two officers issuing at once take turns on the person's row: the later voids the earlier.
    await repo.lockResetTarget(trx, actor.associationId, target.id);
    // The person's older unused codes stop working: a lost slip is replaced, never doubled.
    await repo.voidUnusedResetCodes(trx, target.id);
    const row = await repo.insertResetCode(trx, { associationId: actor.associationId, personId: target.id, codeHash: hashPasscode(code), issuedBy: actor.personId, expiresAt });
    // The code row's id (never the code) ties this row to the redemption's.
    await audit(trx, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'person.password_reset_issued', subject: target.id, detail: { codeId: row.id, expiresAt: expiresAt.toISOString() } });
  });
  // Imported here, not at the top: ~60 modules the start need not load (see main.ts).
  const { default: QRCode } = await import('qrcode');
  const resetUrl = `${ctx.publicUrl}/reset?code=${code}`;
  return {
    personId: target.id,
    personName: person!.name,
    code,
    resetUrl,
    qrSvg: await QRCode.toString(resetUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }),
    expiresAt: expiresAt.toISOString(),
  };
}

/**
 * Sets the new password with a code, spends the code, ends every session of the person and
 * deletes their push subscriptions, in one transaction that locks the code's row (a code redeemed twice at once sets one
 * password); their sockets are dropped after the commit. Then starts the person's new session.
 */
export async function resetPasswordWithCode(ctx: SessionContext, code: string, newPassword: string) {
  const passwordHash = await hashPassword(newPassword);
  const reset = await inTransaction(ctx.db, ctx.log, async (tx) => {
    const found = await repo.lockUsableResetCode(tx.db, hashPasscode(code));
    if (!found) throw new HttpError(400, 'invalid_reset_code', WRONG_CODE, 'code');
    await setPasswordHash(tx.db, found.person_id, passwordHash);
    await repo.markResetCodeUsed(tx.db, found.id);
    const ended = (await deleteAllSessions(tx.db, found.person_id)).map((s) => s.id);
    const removedPushSubscriptions = await deletePersonSubscriptions(tx.db, found.person_id);
    await audit(tx.db, {
      associationId: found.association_id,
      actorPersonId: found.person_id,
      action: 'person.password_reset',
      subject: found.person_id,
      detail: { codeId: found.id, issuedBy: found.issued_by, endedSessions: ended.length, removedPushSubscriptions },
    });
    tx.afterCommit(() => ctx.realtime.endSessions(ended));
    return found;
  });
  const session = await startSession(ctx, reset.person_id, reset.association_id);
  /** The person's login identifiers: their failed logins before the reset need not hold them back after it. */
  const identifiers = [reset.email, reset.phone].filter((v): v is string => !!v);
  return { ...session, identifiers };
}

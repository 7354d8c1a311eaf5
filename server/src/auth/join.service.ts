import { randomBytes } from 'node:crypto';
import type { Db } from '../platform/db/database.js';
import { HttpError } from '../platform/http/errors.js';
import { inTransaction } from '../platform/db/transaction.js';
import type { Language } from '../roster/roster.tables.js';
import { HOUSEHOLD_LOGIN_LIMIT, type JoinRequest } from '../contracts/auth.js';
import { audit } from '../common/audit.repository.js';
import { hashPassword } from './password.js';
import { loginIdentity, phoneSpellings } from './login-identity.js';
import { sha256, startSession, type SessionContext } from './session.service.js';
import * as repo from './auth.repository.js';

/**
 * Household onboarding by one-time passcode: officers print a sheet of codes (roster), a
 * household member looks theirs up and joins with a login of their own.
 */

// No 0/O or 1/I: the code is read off paper by people with weak eyesight.
const PASSCODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function generatePasscode(): string {
  const bytes = randomBytes(8);
  return Array.from(bytes, (b) => PASSCODE_ALPHABET[b % PASSCODE_ALPHABET.length]).join('');
}

export const hashPasscode = sha256;

const WRONG_PASSCODE = 'This code is not valid. It may have been used already or expired; ask your association for a new sheet.';

async function findUsablePasscode(db: Db, code: string) {
  const found = await repo.findUsablePasscode(db, hashPasscode(code));
  if (!found) throw new HttpError(400, 'invalid_passcode', WRONG_PASSCODE, 'code');
  return found;
}

/** A household at HOUSEHOLD_LOGIN_LIMIT takes no new login: the 409 of the join and of a family invitation. */
export function householdFull(field: string) {
  return new HttpError(409, 'household_full', `This household already has ${HOUSEHOLD_LOGIN_LIMIT} logins, the most one household may have. Ask a member to give up theirs, or your association for help.`, field);
}

export async function lookupPasscode(db: Db, code: string) {
  const passcode = await findUsablePasscode(db, code);
  const members = await repo.householdMembers(db, passcode.household_id);
  return {
    household: { name: passcode.household_name, blockName: passcode.block_name },
    members: members.map((m) => ({ id: m.id, name: m.name, hasAccount: m.password_hash !== null })),
    loginsLeft: Math.max(0, HOUSEHOLD_LOGIN_LIMIT - members.filter((m) => m.password_hash !== null).length),
  };
}

/**
 * Redeems a passcode: the chosen (or new) member of the household gets a login, and the
 * code is spent. Runs in one transaction that locks the passcode row, so a code redeemed
 * twice at the same moment logs in one person, not two.
 */
export async function joinWithPasscode(ctx: SessionContext, request: Omit<JoinRequest, 'preferredLanguage'> & { preferredLanguage: Language }) {
  const passwordHash = await hashPassword(request.password);
  const joined = await inTransaction(ctx.db, ctx.log, async ({ db: trx }) => {
    const passcode = await findUsablePasscode(trx, request.code);
    if (!(await repo.lockUnusedPasscode(trx, passcode.id))) throw new HttpError(400, 'invalid_passcode', WRONG_PASSCODE, 'code');
    // Several logins per household (residents, and family living elsewhere), up to the limit:
    // the household row is locked so two codes redeemed at once cannot both take the last place.
    await repo.lockHousehold(trx, passcode.household_id);
    const logins = (await repo.householdMembers(trx, passcode.household_id)).filter((m) => m.password_hash !== null).length;
    if (logins >= HOUSEHOLD_LOGIN_LIMIT) {
      throw householdFull('code');
    }

    // An email or phone number that is already another login's is not attached, and the
    // join goes on the same way: the answer must not tell a code holder whose address has a
    // login. (The new login then has no such identifier; the audit log says so, for the
    // officer who helps them.) Each try spends a one-time code, so probing costs paper.
    const contact = await freeContact(trx, request.email ?? null, request.phone ?? null, request.personId);
    const login = { passwordHash, email: contact.email, phone: contact.phone, preferredLanguage: request.preferredLanguage };
    let personId = request.personId;
    if (personId) {
      const member = await repo.giveMemberLogin(trx, { personId, householdId: passcode.household_id }, login);
      if (!member) throw new HttpError(400, 'invalid_member', 'Choose a member of this household who has no login yet.', 'personId');
    } else {
      const created = await repo.insertMemberWithLogin(
        trx,
        { associationId: passcode.association_id, householdId: passcode.household_id, name: request.name!, livesElsewhere: request.livesElsewhere === true },
        login,
      );
      personId = created.id;
    }
    await repo.markPasscodeUsed(trx, passcode.id, personId);
    await audit(trx, { associationId: passcode.association_id, actorPersonId: personId, action: 'household.joined', subject: passcode.household_id, detail: { contactInUse: contact.inUse, ...(request.livesElsewhere && !request.personId && { livesElsewhere: true }) } });
    return { personId, associationId: passcode.association_id, householdId: passcode.household_id };
  });
  return { ...(await startSession(ctx, joined.personId, joined.associationId)), householdId: joined.householdId };
}

/** The email and phone number to attach to a new login: those already another login's are left out. */
async function freeContact(db: Db, email: string | null, phone: string | null, exceptPersonId?: string) {
  const normalisedEmail = email?.trim().toLowerCase() ?? null;
  // Both ways of writing one number, as the login lookup reads them.
  const phones = phone ? phoneSpellings(loginIdentity(phone).value) : [];
  const taken = await repo.findLoginsWithContact(db, { email: normalisedEmail, phones }, exceptPersonId);
  const emailTaken = !!normalisedEmail && taken.some((t) => t.email?.toLowerCase() === normalisedEmail);
  const phoneTaken = taken.some((t) => t.phone !== null && phones.includes(t.phone));
  return {
    email: emailTaken ? null : email,
    phone: phoneTaken ? null : phone,
    inUse: [...(emailTaken ? ['email'] : []), ...(phoneTaken ? ['phone'] : [])],
  };
}

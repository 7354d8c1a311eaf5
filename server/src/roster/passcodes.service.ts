import type { Db } from '../platform/db/database.js';
import type { Logger } from '../platform/logger.js';
import { inTransaction } from '../platform/db/transaction.js';
import { HttpError } from '../platform/http/errors.js';
import { followUpBlocks, requireRole, requireVisible, type Actor } from '../common/access.js';
import { membersOf } from '../common/people.repository.js';
import { audit } from '../common/audit.repository.js';
import { generatePasscode, hashPasscode, householdFull } from '../auth/join.service.js';
import type { PasscodeItem, UnregisteredHouseholds } from '../contracts/roster.js';
import { HOUSEHOLD_LOGIN_LIMIT } from '../contracts/auth.js';
import * as repo from './roster.repository.js';
import * as rosterPolicy from './roster.policy.js';

/**
 * One-time join passcodes with their QR codes, and the uptake tools built on them: the
 * officers' sheet, invitation letters for the homes nobody can reach through the app yet
 * (officers for any 班, a 班長 for their own), a 班長's list of those homes, the help desk
 * (a code for a resident's phone to scan on the spot) and invitations for family living
 * elsewhere. The officers' sheet and the help desk void the household's unused older codes,
 * so a lost sheet can be replaced; letters and family invitations do not: a 班長 who reprints
 * must not break the letters already handed out, nor a second invitation the first one sent
 * to family. Every code stays one-time and expires after PASSCODE_DAYS.
 */

const PASSCODE_DAYS = 30;

type PasscodeHousehold = Awaited<ReturnType<typeof repo.findPasscodeHouseholds>>[number];

type Issue = { action: string; subject?: string; voidOlder: boolean };

/** What issuing codes needs: the database, the log (for inTransaction) and the address the QR codes point to. */
export interface PasscodeContext {
  db: Db;
  log: Pick<Logger, 'error'>;
  publicUrl: string;
}

async function issueFor({ db, log, publicUrl }: PasscodeContext, actor: Actor, households: PasscodeHousehold[], { action, subject, voidOlder }: Issue): Promise<PasscodeItem[]> {
  if (!households.length) return [];
  const expiresAt = new Date(Date.now() + PASSCODE_DAYS * 86_400_000);
  const issued = households.map((h) => ({ household: h, code: generatePasscode() }));
  await inTransaction(db, log, async ({ db: trx }) => {
    if (voidOlder) await repo.expireUnusedPasscodes(trx, households.map((h) => h.id));
    await repo.insertPasscodes(trx, issued.map((i) => ({ association_id: actor.associationId, household_id: i.household.id, code_hash: hashPasscode(i.code), expires_at: expiresAt })));
    await audit(trx, { associationId: actor.associationId, actorPersonId: actor.personId, action, subject, detail: { households: households.length } });
  });
  return Promise.all(
    issued.map(async ({ household, code }) => {
      // Imported here, not at the top: ~60 modules the start need not load (see main.ts).
      const { default: QRCode } = await import('qrcode');
      const joinUrl = `${publicUrl}/join?code=${code}`;
      return {
        householdId: household.id,
        householdNumber: household.household_number,
        householdName: household.name,
        address: household.address,
        blockName: household.block_name,
        code,
        joinUrl,
        qrSvg: await QRCode.toString(joinUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }),
        expiresAt: expiresAt.toISOString(),
      };
    }),
  );
}

/** The officers' passcode sheet: every household of a 班, or the ones chosen. */
export async function issuePasscodes(ctx: PasscodeContext, actor: Actor, input: { blockId?: string; householdIds?: string[] }) {
  const { db } = ctx;
  requireRole(rosterPolicy.canManageRoster(actor, actor.associationId));
  const households = await repo.findPasscodeHouseholds(db, actor.associationId, input);
  if (!households.length) throw HttpError.badRequest('No households match: choose a 班 of this association.', input.blockId ? 'blockId' : 'householdIds');
  return { items: await issueFor(ctx, actor, households, { action: 'passcodes.issued', voidOlder: true }) };
}

async function visibleBlock(db: Db, actor: Actor, blockId: string) {
  const block = await repo.findBlock(db, blockId);
  requireVisible(!!block && rosterPolicy.canViewBlock(actor, { id: block.id, associationId: block.association_id }), '班');
  return block!;
}

/**
 * Invitation letters, one per household, for the homes of the scope where nobody can be
 * reached through the app. A registered home never gets one, even when named by id; a 班長
 * gets only their own 班's (other ids are left out by the query).
 */
export async function issueLetters(ctx: PasscodeContext, actor: Actor, input: { blockId?: string; householdIds?: string[] }) {
  const { db } = ctx;
  const blockIds = followUpBlocks(actor, 'print invitation letters');
  if (input.blockId) await visibleBlock(db, actor, input.blockId);
  const households = await repo.findPasscodeHouseholds(db, actor.associationId, { ...input, blockIds, unregisteredOnly: true });
  return { items: await issueFor(ctx, actor, households, { action: 'invitation_letters.issued', subject: input.blockId, voidOlder: false }) };
}

/** A 班's homes nobody can reach through the app yet, with their members' phones: the 班長's round. */
export async function unregisteredHouseholds(db: Db, actor: Actor, blockId: string): Promise<UnregisteredHouseholds> {
  followUpBlocks(actor, 'see who has not registered');
  const block = await visibleBlock(db, actor, blockId);
  const [households, [counted]] = await Promise.all([
    repo.findPasscodeHouseholds(db, actor.associationId, { blockId, unregisteredOnly: true }),
    repo.listBlocks(db, actor.associationId, [blockId]),
  ]);
  const members = await membersOf(db, households.map((h) => h.id));
  return {
    block: { id: block.id, name: block.name },
    householdCount: counted?.householdCount ?? 0,
    items: households.map((h) => ({
      householdId: h.id,
      householdNumber: h.household_number,
      householdName: h.name,
      address: h.address,
      channels: h.channels,
      members: members.get(h.id) ?? [],
    })),
  };
}

/** The household by id, answered as missing unless the actor may see it. */
async function visibleHousehold(db: Db, actor: Actor, householdId: string) {
  const [household] = await repo.findPasscodeHouseholds(db, actor.associationId, { householdIds: [householdId] });
  const ref = household && { id: household.id, associationId: actor.associationId, blockId: household.block_id };
  requireVisible(!!ref && rosterPolicy.canViewHousehold(actor, ref), 'household');
  return { household: household!, ref: ref! };
}

/** Help desk: a fresh code for one household, shown large for the resident's phone to scan now. */
export async function issueHelpDeskPasscode(ctx: PasscodeContext, actor: Actor, householdId: string) {
  const { db } = ctx;
  const { household } = await visibleHousehold(db, actor, householdId);
  requireRole(rosterPolicy.canManageRoster(actor, actor.associationId));
  const [item] = await issueFor(ctx, actor, [household], { action: 'help_desk.passcode_issued', subject: householdId, voidOlder: true });
  return item!;
}

/** A code a household member sends to family living elsewhere, so they can join with their own login. */
export async function issueFamilyInvitation(ctx: PasscodeContext, actor: Actor, householdId: string) {
  const { db } = ctx;
  const { household, ref } = await visibleHousehold(db, actor, householdId);
  requireRole(rosterPolicy.canEditHousehold(actor, ref), 'officers and the household itself');
  // The join would refuse the code anyway: say so now, before it is sent to family (as the join does).
  if ((await repo.countHouseholdLogins(db, householdId)) >= HOUSEHOLD_LOGIN_LIMIT) {
    throw householdFull('id');
  }
  const [item] = await issueFor(ctx, actor, [household], { action: 'family_invitation.issued', subject: householdId, voidOlder: false });
  return item!;
}

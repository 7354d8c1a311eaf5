import type { Db } from '../platform/db/database.js';
import type { Logger } from '../platform/logger.js';
import { inTransaction } from '../platform/db/transaction.js';
import { HttpError } from '../platform/http/errors.js';
import { requireRole, requireVisible, type Actor, type HouseholdRef } from '../common/access.js';
import type {
  CreateHouseholdRequest,
  CreatePersonRequest,
  HouseholdDetail,
  UpdateHouseholdRequest,
  UpdatePersonRequest,
} from '../contracts/roster.js';
import * as repo from './roster.repository.js';
import { findBlock, findHousehold, findPeople, listBlocks, listHouseholds } from './roster.repository.js';
import * as rosterPolicy from './roster.policy.js';
import { audit } from '../common/audit.repository.js';
import type { Channel, Language } from './roster.tables.js';

type Row = NonNullable<Awaited<ReturnType<typeof findHousehold>>>;
/** What the access rules need of a household row. */
const refOf = (h: Pick<Row, 'id' | 'association_id' | 'block_id'>): HouseholdRef => ({ id: h.id, associationId: h.association_id, blockId: h.block_id });
const toSummary = (h: Row & { member_count?: number | null }) => ({
  id: h.id,
  householdNumber: h.household_number,
  name: h.name,
  address: h.address,
  blockId: h.block_id,
  blockName: h.block_name,
  channels: h.channels,
  responderNotes: h.responder_notes,
  memberCount: Number(h.member_count ?? 0),
});

export async function getBlocks(db: Db, actor: Actor) {
  if (actor.officer) return listBlocks(db, actor.associationId);
  return listBlocks(db, actor.associationId, actor.captainOf);
}

export async function createBlock(db: Db, actor: Actor, input: { name: string; sortOrder?: number }) {
  requireRole(rosterPolicy.canManageRoster(actor, actor.associationId));
  const existing = await repo.findBlockByName(db, actor.associationId, input.name);
  if (existing) throw new HttpError(409, 'block_name_taken', `A 班 named ${input.name} already exists.`, 'name');
  const block = await repo.insertBlock(db, { associationId: actor.associationId, name: input.name, sortOrder: input.sortOrder });
  return (await listBlocks(db, actor.associationId, [block.id]))[0]!;
}

async function visibleBlock(db: Db, actor: Actor, id: string) {
  const block = await findBlock(db, id);
  requireVisible(!!block && rosterPolicy.canViewBlock(actor, { id: block.id, associationId: block.association_id }), '班');
  return block!;
}

export async function updateBlock(db: Db, actor: Actor, id: string, input: { name?: string; sortOrder?: number }) {
  await visibleBlock(db, actor, id);
  requireRole(rosterPolicy.canManageRoster(actor, actor.associationId));
  await repo.updateBlockRow(db, id, input).catch((error: { code?: string }) => {
      if (error.code === '23505') throw new HttpError(409, 'block_name_taken', `A 班 named ${input.name} already exists.`, 'name');
      throw error;
    });
  return (await listBlocks(db, actor.associationId, [id]))[0]!;
}

/**
 * Hands a 班 to its new captains: current terms end the day before `startsOn`, new ones
 * begin on it. Captains rotate every year; the history of who led when stays.
 */
export async function setCaptains(ctx: { db: Db; log: Pick<Logger, 'error'> }, actor: Actor, blockId: string, input: { personIds: string[]; startsOn?: string }) {
  const { db } = ctx;
  await visibleBlock(db, actor, blockId);
  requireRole(rosterPolicy.canManageRoster(actor, actor.associationId));
  const people = await findPeople(db, { associationId: actor.associationId, personIds: input.personIds });
  if (people.length !== new Set(input.personIds).size) throw HttpError.badRequest('Every captain must be a person of this association.', 'personIds');
  const startsOn = input.startsOn ?? new Date().toISOString().slice(0, 10);
  await inTransaction(db, ctx.log, async ({ db: trx }) => {
    await repo.endCaptainTerms(trx, blockId, startsOn);
    if (input.personIds.length) await repo.insertCaptainTerms(trx, { associationId: actor.associationId, blockId, personIds: input.personIds, startsOn });
    await audit(trx, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'block.captains_set', subject: blockId, detail: input });
  });
  return (await listBlocks(db, actor.associationId, [blockId]))[0]!;
}

export async function getHouseholds(db: Db, actor: Actor, filter: { blockId?: string; q?: string; limit: number; offset: number }) {
  const { items, total } = await listHouseholds(db, rosterPolicy.householdScope(actor), filter);
  return { items: items.map(toSummary), total };
}

async function visibleHousehold(db: Db, actor: Actor, id: string) {
  const household = await findHousehold(db, id);
  requireVisible(!!household && rosterPolicy.canViewHousehold(actor, refOf(household)), 'household');
  return household!;
}

export async function getHousehold(db: Db, actor: Actor, id: string): Promise<HouseholdDetail> {
  const household = await visibleHousehold(db, actor, id);
  const [members, devices] = await Promise.all([
    findPeople(db, { associationId: actor.associationId, householdId: id }),
    repo.findHouseholdDevices(db, id),
  ]);
  return { ...toSummary({ ...household, member_count: members.length }), members, devices };
}

async function assertBlockOfAssociation(db: Db, actor: Actor, blockId: string) {
  const block = await findBlock(db, blockId);
  if (!block || block.association_id !== actor.associationId) throw HttpError.badRequest('No such 班 in this association.', 'blockId');
}

export async function createHousehold(db: Db, actor: Actor, input: CreateHouseholdRequest & { channels: Channel[]; responderNotes: string }) {
  requireRole(rosterPolicy.canManageRoster(actor, actor.associationId));
  await assertBlockOfAssociation(db, actor, input.blockId);
  const created = await repo
    .insertHousehold(db, {
      association_id: actor.associationId, block_id: input.blockId, household_number: input.householdNumber, name: input.name,
      address: input.address, channels: input.channels, responder_notes: input.responderNotes,
    })
    .catch(duplicateNumber);
  return getHousehold(db, actor, created.id);
}

const duplicateNumber = (error: { code?: string }): never => {
  if (error.code === '23505') throw new HttpError(409, 'household_number_taken', 'Another household already has this 世帯番号.', 'householdNumber');
  throw error;
};

export async function updateHousehold(ctx: { db: Db; log: Pick<Logger, 'error'> }, actor: Actor, id: string, input: UpdateHouseholdRequest) {
  const { db } = ctx;
  const household = await visibleHousehold(db, actor, id);
  requireRole(rosterPolicy.canEditHousehold(actor, refOf(household)), 'officers and the household itself');
  // A household may keep its own notes and channels current; moving 班 or renumbering is the officers'.
  if (!rosterPolicy.canMoveOrRenumberHousehold(actor) && (input.blockId !== undefined || input.householdNumber !== undefined)) {
    throw HttpError.forbidden('Only officers can change the 班 or the 世帯番号.');
  }
  if (input.blockId) await assertBlockOfAssociation(db, actor, input.blockId);
  // The change and its audit row together: a household now edits itself, and officers must see who changed what.
  await inTransaction(db, ctx.log, async ({ db: trx }) => {
    await repo
      .updateHouseholdRow(trx, id, {
        ...(input.householdNumber !== undefined && { household_number: input.householdNumber }),
        ...(input.name !== undefined && { name: input.name }),
        ...(input.address !== undefined && { address: input.address }),
        ...(input.blockId !== undefined && { block_id: input.blockId }),
        ...(input.channels !== undefined && { channels: input.channels as Channel[] }),
        ...(input.responderNotes !== undefined && { responder_notes: input.responderNotes }),
        updated_at: new Date(),
      })
      .catch(duplicateNumber);
    await audit(trx, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'household.updated', subject: id, detail: input });
  });
  return getHousehold(db, actor, id);
}

export async function getPeople(db: Db, actor: Actor, filter: { q?: string; withoutHousehold?: boolean }) {
  requireRole(rosterPolicy.canManageRoster(actor, actor.associationId));
  return { items: await findPeople(db, { associationId: actor.associationId, ...filter }) };
}

export async function createPerson(db: Db, actor: Actor, input: CreatePersonRequest & { kana: string; preferredLanguage: Language }) {
  if (input.householdId) {
    const household = await visibleHousehold(db, actor, input.householdId);
    requireRole(rosterPolicy.canEditHousehold(actor, refOf(household)), 'officers and the household itself');
  } else requireRole(rosterPolicy.canManageRoster(actor, actor.associationId));
  const created = await repo.insertPerson(db, {
    association_id: actor.associationId, household_id: input.householdId ?? null, name: input.name, kana: input.kana,
    phone: input.phone ?? null, email: input.email ?? null, preferred_language: input.preferredLanguage,
  });
  return (await findPeople(db, { associationId: actor.associationId, personIds: [created.id] }))[0]!;
}

export async function updatePerson(ctx: { db: Db; log: Pick<Logger, 'error'> }, actor: Actor, id: string, input: UpdatePersonRequest) {
  const { db } = ctx;
  const [person] = await findPeople(db, { associationId: actor.associationId, personIds: [id] });
  const household = person?.householdId ? await findHousehold(db, person.householdId) : undefined;
  requireVisible(!!person && rosterPolicy.canEditPerson(actor, person, household && refOf(household)), 'person');
  // Audited with the change: a member's email or phone is their login, and a household now
  // edits its own members; the detail names the fields changed, not their values.
  await inTransaction(db, ctx.log, async ({ db: trx }) => {
    await repo
      .updatePersonRow(trx, id, {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.kana !== undefined && { kana: input.kana }),
        ...(input.phone !== undefined && { phone: input.phone }),
        ...(input.email !== undefined && { email: input.email }),
        ...(input.preferredLanguage !== undefined && { preferred_language: input.preferredLanguage }),
      })
      .catch((error: { code?: string }) => {
        if (error.code === '23505') throw new HttpError(409, 'contact_taken', 'This email or phone number is already used for another login.', 'email');
        throw error;
      });
    await audit(trx, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'person.updated', subject: id, detail: { fields: Object.keys(input).filter((k) => input[k as keyof UpdatePersonRequest] !== undefined) } });
  });
  return (await findPeople(db, { associationId: actor.associationId, personIds: [id] }))[0]!;
}

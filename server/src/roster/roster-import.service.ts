import type { Insertable, Transaction } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Logger } from '../platform/logger.js';
import { inTransaction } from '../platform/db/transaction.js';
import type { Database } from '../platform/db/schema.js';
import type { PersonTable } from './roster.tables.js';
import type { RosterImportResult } from '../contracts/roster.js';
import { parseRosterCsv, type ParsedRoster, type ExportRow } from './roster-csv.js';
import { audit } from '../common/audit.repository.js';
import { blocksOf } from '../common/association.repository.js';
import * as repo from './roster-import.repository.js';

class PreviewRollback extends Error {}

/**
 * Imports a roster CSV. The whole file is checked first; a file with any error writes
 * nothing. A valid file is applied in one transaction by set-based inserts (a 2,000
 * household roster is a handful of statements, not thousands of round trips). A preview
 * runs the very same transaction and rolls it back, so its counts are exactly what a
 * commit would do. Import adds and updates; it never deletes anyone missing from the file.
 */
export async function importRoster(
  { db, log }: { db: Db; log: Pick<Logger, 'error'> },
  input: { associationId: string; actorPersonId: string; csv: Buffer; commit: boolean },
): Promise<RosterImportResult & { changedHouseholdIds: string[] }> {
  const parsed = parseRosterCsv(input.csv);
  const empty = { blocks: { created: 0, unchanged: 0 }, households: { created: 0, updated: 0, unchanged: 0 }, people: { created: 0, updated: 0, unchanged: 0 } };
  if (parsed.errors.length) {
    return { committed: false, encoding: parsed.encoding, rows: parsed.rows, errors: parsed.errors, summary: empty, changedHouseholdIds: [] };
  }
  let outcome: Awaited<ReturnType<typeof applyRoster>> | undefined;
  try {
    await inTransaction(db, log, async ({ db: trx }) => {
      // One import at a time per association, so two officers importing at once cannot interleave.
      await repo.lockRosterImport(trx, input.associationId);
      outcome = await applyRoster(trx, input.associationId, parsed);
      if (outcome.errors.length) throw new PreviewRollback();
      if (!input.commit) throw new PreviewRollback();
      await audit(trx, {
        associationId: input.associationId, actorPersonId: input.actorPersonId, action: 'roster.imported',
        detail: { rows: parsed.rows, summary: outcome.summary },
      });
    });
  } catch (error) {
    if (!(error instanceof PreviewRollback)) throw error;
  }
  const result = outcome!;
  const committed = input.commit && result.errors.length === 0;
  return {
    committed, encoding: parsed.encoding, rows: parsed.rows, errors: result.errors,
    summary: result.errors.length ? empty : result.summary, changedHouseholdIds: committed ? result.changedHouseholdIds : [],
  };
}

async function applyRoster(trx: Transaction<Database>, associationId: string, roster: ParsedRoster) {
  const errors: RosterImportResult['errors'] = [];
  const summary = { blocks: { created: 0, unchanged: 0 }, households: { created: 0, updated: 0, unchanged: 0 }, people: { created: 0, updated: 0, unchanged: 0 } };

  // Blocks by name.
  const blockIds = new Map((await blocksOf(trx, associationId)).map((b) => [b.name, b.id]));
  const wantedBlocks = [...new Set([...roster.households.map((h) => h.block), ...roster.people.map((p) => p.block).filter((b): b is string => !!b)])];
  const newBlocks = wantedBlocks.filter((name) => !blockIds.has(name));
  summary.blocks.unchanged = wantedBlocks.length - newBlocks.length;
  summary.blocks.created = newBlocks.length;
  if (newBlocks.length) {
    const maxOrder = blockIds.size;
    const created = await repo.insertBlocks(trx, associationId, newBlocks.map((name, i) => ({ name, sortOrder: maxOrder + i + 1 })));
    for (const b of created) blockIds.set(b.name, b.id);
  }

  // Households by 世帯番号.
  const existingHouseholds = new Map((await repo.householdsOf(trx, associationId)).map((h) => [h.household_number, h]));
  const householdIds = new Map<string, string>();
  const changedHouseholdIds: string[] = [];
  const toCreate = [];
  for (const h of roster.households) {
    const values = {
      name: h.name, address: h.address, block_id: blockIds.get(h.block)!, channels: h.channels, responder_notes: h.responderNotes,
    };
    const existing = existingHouseholds.get(h.householdNumber);
    if (!existing) {
      toCreate.push({ ...values, association_id: associationId, household_number: h.householdNumber });
      continue;
    }
    householdIds.set(h.householdNumber, existing.id);
    const same =
      existing.name === values.name && existing.address === values.address && existing.block_id === values.block_id &&
      existing.responder_notes === values.responder_notes && sameSet(existing.channels, values.channels);
    if (same) summary.households.unchanged++;
    else {
      summary.households.updated++;
      changedHouseholdIds.push(existing.id);
      await repo.updateImportedHousehold(trx, existing.id, { ...values, updated_at: new Date() });
    }
  }
  if (toCreate.length) {
    const created = await repo.insertHouseholds(trx, toCreate);
    for (const h of created) {
      householdIds.set(h.household_number, h.id);
      changedHouseholdIds.push(h.id);
    }
    summary.households.created = created.length;
  }

  // People: within a household by name; outside households by name and phone or email.
  const existingPeople = await repo.peopleOf(trx, associationId);
  const byHouseholdAndName = new Map(existingPeople.filter((p) => p.household_id).map((p) => [`${p.household_id}|${p.name}`, p]));
  const outside = existingPeople.filter((p) => !p.household_id);
  const personIds = new Map<number, string>();
  const peopleToCreate: { line: number; values: Insertable<PersonTable> }[] = [];
  for (const p of roster.people) {
    const householdId = p.householdNumber ? householdIds.get(p.householdNumber)! : null;
    const existing = householdId
      ? byHouseholdAndName.get(`${householdId}|${p.name}`)
      : outside.find((o) => o.name === p.name && ((p.phone && o.phone === p.phone) || (p.email && o.email === p.email) || (!p.phone && !p.email)));
    const values = { name: p.name, kana: p.kana, phone: p.phone, email: p.email, preferred_language: p.language };
    if (!existing) {
      peopleToCreate.push({ line: p.line, values: { ...values, association_id: associationId, household_id: householdId } });
      continue;
    }
    personIds.set(p.line, existing.id);
    const same = existing.kana === p.kana && existing.phone === p.phone && existing.email === p.email && existing.preferred_language === p.language;
    if (same) summary.people.unchanged++;
    else {
      // A person who already logs in keeps the email and phone they log in with.
      const loginSafe = existing.password_hash ? { kana: p.kana, preferred_language: p.language } : values;
      await repo.updateImportedPerson(trx, existing.id, loginSafe);
      summary.people.updated++;
    }
  }
  if (peopleToCreate.length) {
    const created = await repo.insertPeople(trx, peopleToCreate.map((p) => p.values));
    created.forEach((row, i) => personIds.set(peopleToCreate[i]!.line, row.id));
    summary.people.created = created.length;
  }

  // Roles: added where the file names them and the person does not hold them now.
  const active = await repo.rolesHeldIn(trx, associationId);
  const held = new Set(active.map((r) => `${r.person_id}|${r.role}|${r.block_id ?? ''}`));
  const rolesToAdd = [];
  for (const p of roster.people) {
    const personId = personIds.get(p.line)!;
    for (const role of p.roles) {
      const blockId = role === 'captain' ? blockIds.get(p.block!)! : null;
      const key = `${personId}|${role}|${blockId ?? ''}`;
      if (held.has(key)) continue;
      held.add(key);
      rolesToAdd.push({ association_id: associationId, person_id: personId, role, block_id: blockId });
    }
  }
  if (rolesToAdd.length) await repo.insertRoles(trx, rolesToAdd);
  return { errors, summary, changedHouseholdIds };
}

function sameSet<T>(a: readonly T[], b: readonly T[]) {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Every household and person of the association, in the import's row shape. */
export async function exportRoster(db: Db, associationId: string): Promise<ExportRow[]> {
  const [rows, outside, roles] = await Promise.all([
    repo.householdRowsForExport(db, associationId),
    repo.peopleOutsideHouseholds(db, associationId),
    repo.rolesHeldIn(db, associationId),
  ]);
  const rolesOf = (personId: string | null) => roles.filter((r) => r.person_id === personId).map((r) => r.role);
  const captainBlock = (personId: string) => roles.find((r) => r.person_id === personId && r.role === 'captain')?.block ?? null;
  return [
    ...rows.map((r) => ({
      block: r.block, householdNumber: r.household_number, householdName: r.household_name, address: r.address, channels: r.channels,
      responderNotes: r.responder_notes, name: r.name, kana: r.kana, phone: r.phone, email: r.email, language: r.preferred_language,
      roles: rolesOf(r.person_id),
    })),
    ...outside.map((p) => ({
      block: captainBlock(p.person_id), householdNumber: null, householdName: null, address: null, channels: null, responderNotes: null,
      name: p.name, kana: p.kana, phone: p.phone, email: p.email, language: p.preferred_language, roles: rolesOf(p.person_id),
    })),
  ];
}

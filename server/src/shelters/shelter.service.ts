import type { Insertable } from 'kysely';
import { HttpError } from '../platform/http/errors.js';
import type { Db } from '../platform/db/database.js';
import { inTransaction } from '../platform/db/transaction.js';
import type { Logger } from '../platform/logger.js';
import { requireRole, requireVisible, type Actor } from '../common/access.js';
import { associationName } from '../common/association.repository.js';
import { audit } from '../common/audit.repository.js';
import type { Shelter, ShelterImportResult } from '../contracts/shelters.js';
import { parseShelterCsv, servesAssociation } from './shelter-csv.js';
import { shelterPolicy } from './shelter.policy.js';
import type { ShelterTable } from './shelter.tables.js';
import * as repo from './shelter.repository.js';

/** The association's shelters: listing, the CSV import, listing or unlisting one, deleting one. */

export interface ShelterContext {
  db: Db;
  log: Logger;
}

type Row = Awaited<ReturnType<typeof repo.sheltersOf>>[number];

function view(r: Row): Shelter {
  return {
    id: r.id, sourceId: r.source_id, name: r.name, kana: r.kana, address: r.address, latitude: r.latitude, longitude: r.longitude,
    capacity: r.capacity, hazards: r.hazards, alsoEvacuationCentre: r.also_evacuation_centre, serves: r.serves, listed: r.listed,
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function listShelters({ db }: ShelterContext, actor: Actor) {
  return { items: (await repo.sheltersOf(db, actor.associationId, shelterPolicy.listedOnly(actor))).map(view) };
}

export async function setListed(ctx: ShelterContext, actor: Actor, id: string, listed: boolean) {
  requireRole(shelterPolicy.canManage(actor));
  return inTransaction(ctx.db, ctx.log, async ({ db: trx }) => {
    const row = await repo.setListed(trx, actor.associationId, id, listed);
    requireVisible(!!row, 'shelter');
    await audit(trx, { associationId: actor.associationId, actorPersonId: actor.personId, action: listed ? 'shelter.listed' : 'shelter.unlisted', subject: id, detail: { name: row!.name } });
    return view(row!);
  });
}

export async function removeShelter(ctx: ShelterContext, actor: Actor, id: string) {
  requireRole(shelterPolicy.canManage(actor));
  await inTransaction(ctx.db, ctx.log, async ({ db: trx }) => {
    const row = await repo.deleteShelter(trx, actor.associationId, id);
    requireVisible(!!row, 'shelter');
    await audit(trx, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'shelter.deleted', subject: id, detail: { name: row!.name, sourceId: row!.source_id } });
  });
  return { ok: true as const };
}

const PREVIEW_ROWS = 500;

/**
 * Imports a shelter CSV. The whole file is checked first; a file with any bad row writes
 * nothing and says which lines. A preview compares with the shelters saved (created, updated,
 * unchanged); a commit upserts them by the source's id in one transaction, with its audit
 * entry. Where the file says which associations each site serves, the rows naming this
 * association are listed and the others not (an officer can tick them); otherwise every row is.
 * A re-import keeps the officers' ticks of the shelters already saved.
 */
export async function importShelters(ctx: ShelterContext, actor: Actor, csv: Buffer, commit: boolean): Promise<ShelterImportResult> {
  requireRole(shelterPolicy.canManage(actor));
  if (csv.length === 0) throw HttpError.badRequest('Attach the CSV file as the request body.', 'body');
  const parsed = parseShelterCsv(csv);
  const base = { committed: false, encoding: parsed.encoding, format: parsed.format, rows: parsed.records };
  const empty = { created: 0, updated: 0, unchanged: 0, listed: 0 };
  if (parsed.errors.length) return { ...base, errors: parsed.errors, summary: empty, items: [] };
  const associationId = actor.associationId;
  const name = await associationName(ctx.db, associationId);
  const listedByFile = (serves: string) => !parsed.saysWhomItServes || servesAssociation(serves, name);

  return inTransaction(ctx.db, ctx.log, async ({ db: trx }) => {
    await repo.lockShelterImport(trx, associationId);
    const existing = new Map((await repo.sheltersOf(trx, associationId, false)).map((r) => [r.source_id, r]));
    const summary = { ...empty };
    const items: ShelterImportResult['items'] = [];
    const values: Insertable<ShelterTable>[] = [];
    for (const r of parsed.rows) {
      const before = existing.get(r.sourceId);
      const listed = before ? before.listed : listedByFile(r.serves);
      const same = before && before.name === r.name && before.kana === r.kana && before.address === r.address && before.latitude === r.latitude &&
        before.longitude === r.longitude && before.capacity === r.capacity && before.hazards.join() === r.hazards.join() &&
        before.also_evacuation_centre === r.alsoEvacuationCentre && before.serves === r.serves;
      const change = !before ? 'create' : same ? 'unchanged' : 'update';
      summary[change === 'create' ? 'created' : change === 'update' ? 'updated' : 'unchanged']++;
      if (listed) summary.listed++;
      if (items.length < PREVIEW_ROWS) items.push({ line: r.line, sourceId: r.sourceId, name: r.name, address: r.address, hazards: r.hazards, capacity: r.capacity, listed, change });
      if (change !== 'unchanged') {
        values.push({
          association_id: associationId, source_id: r.sourceId, name: r.name, kana: r.kana, address: r.address, latitude: r.latitude, longitude: r.longitude,
          capacity: r.capacity, hazards: r.hazards, also_evacuation_centre: r.alsoEvacuationCentre, serves: r.serves, listed,
        });
      }
    }
    if (commit) {
      await repo.upsertShelters(trx, values);
      await audit(trx, { associationId, actorPersonId: actor.personId, action: 'shelters.imported', detail: { format: parsed.format, rows: parsed.rows.length, summary } });
    }
    return { ...base, committed: commit, errors: [], summary, items };
  });
}


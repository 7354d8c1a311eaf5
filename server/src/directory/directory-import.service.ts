import { randomUUID } from 'node:crypto';
import { localDate } from '../common/local-time.js';
import type { ServiceContext } from '../common/service-context.js';
import type { DirectoryImportResult } from '../contracts/directory-import.js';
import { inTransaction } from '../platform/db/transaction.js';
import { HttpError } from '../platform/http/errors.js';
import { directoryColumns, missesContact, parseDirectoryCsv, writeDirectoryCsv, type DirectoryCsvIssue, type DirectoryCsvRow } from './directory-csv.js';
import { areasUnder } from './directory.repository.js';
import { auditEdit, editorTimeZone, type Editor } from './directory.service.js';
import * as repo from './directory-import.repository.js';

type Ctx = Pick<ServiceContext, 'db' | 'log'>;
type Saved = Awaited<ReturnType<typeof repo.ownServices>>[number];
type Area = { id: string; code: string; name: string };

const PREVIEW_ROWS = 500;
const DEFAULT_RECONFIRM_MONTHS = 6;

/** `date` less `months` (the day clamped to the month's end, as PostgreSQL does). */
function monthsBefore(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 - months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

const key = (organisation: string, name: string) => `${organisation.normalize('NFKC').trim().toLowerCase()}|${name.normalize('NFKC').trim().toLowerCase()}`;
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\u0001') === [...b].sort().join('\u0001');

/**
 * Imports a directory CSV into the entries the editor's owner keeps (an association, a city). The whole file is
 * checked first: a malformed row (an unknown worry, a bad date or lat/lon, an id another
 * association's entry holds, an area the association may not serve) is reported by line and
 * column and nothing is written. A row without a phone, web address or address is a warning:
 * saved as a draft, never published. Rows match saved entries by 外部ID (else, without one, by
 * organisation and service name), so a re-import updates and never duplicates. A new entry
 * with a contact is published; a saved one keeps its status (an editor's hide or draft stands).
 * A preview writes nothing; a commit writes every row and its audit entry in one transaction.
 */
export async function importDirectory(ctx: Ctx, editor: Editor, csv: Buffer, commit: boolean): Promise<DirectoryImportResult> {
  if (csv.length === 0) throw HttpError.badRequest('Attach the CSV file as the request body.', 'body');
  const owner = editor.owner;
  const today = localDate(new Date(), await editorTimeZone(ctx, editor));
  const parsed = parseDirectoryCsv(csv, today);
  const summary = { created: 0, updated: 0, unchanged: 0, unpublished: 0 };
  const base = { committed: false, encoding: parsed.encoding, rows: parsed.records, warnings: [], summary, items: [] };
  if (parsed.errors.length) return { ...base, errors: parsed.errors };

  return inTransaction(ctx.db, ctx.log, async (tx) => {
    await repo.lockDirectoryImport(tx.db);
    // An officer's entries serve their own association (an entry keeps the areas it already
    // serves); a city's, the city (unset) or any area under it.
    const cityAreas = 'cityAreaId' in owner ? await areasUnder(tx.db, owner.cityAreaId) : null;
    const ownArea = 'associationId' in owner ? await repo.associationArea(tx.db, owner.associationId) : cityAreas![0]!;
    const saved = await repo.ownServices(tx.db, owner);
    const byId = new Map(saved.map((s) => [s.external_id, s]));
    const byName = new Map<string, Saved>();
    for (const s of saved) if (!byName.has(key(s.organisation, s.name))) byName.set(key(s.organisation, s.name), s);
    const elsewhere = await repo.externalIdsHeldElsewhere(tx.db, owner, parsed.rows.flatMap((r) => (r.externalId ? [r.externalId] : [])));

    const errors: DirectoryCsvIssue[] = [];
    const warnings: DirectoryCsvIssue[] = [];
    const items: DirectoryImportResult['items'] = [];
    const plans: { row: DirectoryCsvRow; before: Saved | undefined; areas: Area[]; status: Saved['status']; lastConfirmedOn: string }[] = [];
    for (const row of parsed.rows) {
      if (row.externalId && elsewhere.has(row.externalId)) {
        errors.push({ line: row.line, column: directoryColumns.externalId[0], message: `${row.externalId} is an entry another association or city keeps: it cannot be changed from here.` });
        continue;
      }
      const before = row.externalId ? byId.get(row.externalId) : byName.get(key(row.organisation, row.name));
      const allowed = cityAreas ?? [ownArea, ...(before?.areas ?? [])];
      const areas: Area[] = [];
      for (const word of row.areas) {
        const area = allowed.find((a) => a.code === word) ?? allowed.find((a) => a.name.normalize('NFKC') === word.normalize('NFKC'));
        if (!area) {
          errors.push({
            line: row.line, column: directoryColumns.areas[0], message: cityAreas
              ? `"${word}" is not an area of ${ownArea.name}: give the code or name of the city or an area in it, or leave it blank (the whole city).`
              : `"${word}" is not an area this association's entries may serve: ${ownArea.code} (${ownArea.name}), or leave it blank. Wider areas are kept by the city's editors.`,
          });
        } else if (!areas.some((a) => a.id === area.id)) areas.push(area);
      }
      if (row.areas.length === 0) areas.push(...(before?.areas.length ? before.areas : [ownArea]));
      const contactless = missesContact(row);
      if (contactless) warnings.push({ line: row.line, column: directoryColumns.phone[0], message: 'No phone, web address or address: saved as a draft, not published, until a later import gives one.' });
      const lastConfirmedOn = row.lastConfirmedOn ?? before?.last_confirmed_on ?? today;
      plans.push({ row, before, areas, status: importedStatus(before, contactless, lastConfirmedOn > monthsBefore(today, before?.reconfirm_months ?? DEFAULT_RECONFIRM_MONTHS)), lastConfirmedOn });
    }
    if (errors.length) return { ...base, errors: [...errors].sort((a, b) => a.line - b.line), warnings };

    const organisations = commit ? await repo.organisationsNamed(tx.db, owner, plans.map((p) => p.row.organisation)) : new Map<string, string>();
    const writes: repo.ImportedService[] = [];
    const areaOf = new Map<string, Area[]>();
    for (const { row, before, areas, status, lastConfirmedOn } of plans) {
      const same = before && before.organisation === row.organisation && before.name === row.name && before.description === row.description &&
        sameSet(before.worries, row.worries) && sameSet(before.age_groups, row.ageGroups) && sameSet(before.languages, row.languages) &&
        before.address === row.address && before.lat === row.lat && before.lon === row.lon && before.phone === row.phone && before.hours === row.hours &&
        before.walk_in === row.walkIn && before.web === row.web && before.cost === row.cost && before.status === status &&
        before.last_confirmed_on === lastConfirmedOn && sameSet(before.areas.map((a) => a.id), areas.map((a) => a.id));
      const change = !before ? 'create' : same ? 'unchanged' : 'update';
      summary[change === 'create' ? 'created' : change === 'update' ? 'updated' : 'unchanged']++;
      const current = status === 'published' && lastConfirmedOn > monthsBefore(today, before?.reconfirm_months ?? DEFAULT_RECONFIRM_MONTHS);
      if (!current) summary.unpublished++;
      if (items.length < PREVIEW_ROWS) {
        items.push({ line: row.line, externalId: row.externalId ?? before?.external_id ?? null, organisation: row.organisation, name: row.name, worries: row.worries, status, current, change });
      }
      if (commit && change !== 'unchanged') {
        // A new entry without an id gets a random one, as one added in the app does.
        const externalId = row.externalId ?? before?.external_id ?? randomUUID();
        writes.push({
          external_id: externalId,
          organisation_id: organisations.get(row.organisation)!, name: row.name, description: row.description, worries: row.worries,
          age_groups: row.ageGroups, languages: row.languages, address: row.address, lat: row.lat, lon: row.lon, phone: row.phone, hours: row.hours,
          walk_in: row.walkIn, web: row.web, cost: row.cost, status, last_confirmed_on: lastConfirmedOn,
        });
        areaOf.set(externalId, areas);
      }
    }
    if (commit) {
      const written = await repo.upsertServices(tx.db, owner, writes);
      if (written.length !== writes.length) throw new HttpError(409, 'import_raced', 'Another change to the directory came first: import the file again.');
      const pairs = written.flatMap((w) => (areaOf.get(w.external_id) ?? []).map((a) => ({ service_id: w.id, area_id: a.id })));
      await repo.replaceServiceAreas(tx.db, written.map((w) => w.id), pairs);
      // One row for the whole file, named with its owner: 変更履歴 shows it to whoever sees that owner's entries.
      await auditEdit(tx.db, editor, { action: 'directory.imported', owner, detail: { encoding: parsed.encoding, rows: parsed.records, summary, drafts: warnings.length } });
    }
    return { ...base, committed: commit, errors: [], warnings, summary, items };
  });
}

/** The entries the editor can change, as the import reads them (UTF-8 with BOM or Shift_JIS), and the file's date. */
export async function exportDirectory(ctx: Ctx, editor: Editor, encoding: 'utf-8' | 'shift_jis') {
  const date = localDate(new Date(), await editorTimeZone(ctx, editor));
  const rows = await repo.ownServices(ctx.db, editor.owner);
  const written = writeDirectoryCsv(rows.map((s) => ({
    externalId: s.external_id, organisation: s.organisation, name: s.name, description: s.description, worries: s.worries as DirectoryCsvRow['worries'],
    ageGroups: s.age_groups, languages: s.languages, address: s.address, lat: s.lat, lon: s.lon, phone: s.phone, hours: s.hours, walkIn: s.walk_in,
    web: s.web, cost: s.cost, areas: s.areas.map((a) => a.code), lastConfirmedOn: s.last_confirmed_on,
  })), encoding);
  if (!written.ok) {
    // Never a silent "?": say which cells Shift_JIS cannot hold; UTF-8 can hold them all.
    const issues = written.unencodable.slice(0, 100).map((cell) => ({
      field: `row ${cell.row}, ${cell.column}`,
      message: `${cell.characters.map((c) => `${c} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`).join(', ')} — ${cell.name}`,
    }));
    throw new HttpError(422, 'not_encodable', `${written.unencodable.length} cell(s) have characters that Shift_JIS cannot hold. Download the UTF-8 CSV instead (Excel opens it), or change these cells.`, 'encoding', issues);
  }
  return { csv: written.csv, date };
}

/**
 * What a row makes of an entry's status. A new one is published; a saved one keeps what its
 * editor chose (hidden, draft) except that
 *  - without a contact it is a draft (never shown);
 *  - a draft that had no contact (as an import saves one) and now has one is published;
 *  - a stale entry the file confirms within its reconfirm period is published again, as the
 *    organisation's reconfirm makes it (else the freshness job would hide it a month later).
 */
function importedStatus(before: Saved | undefined, contactless: boolean, confirmed: boolean): Saved['status'] {
  if (contactless) return 'draft';
  if (!before) return 'published';
  if (before.status === 'draft' && !before.phone && !before.web && !before.address) return 'published';
  if (before.status === 'stale' && confirmed) return 'published';
  return before.status;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import type { TestServer } from '../support/server.js';
import { seedAssociation, type SeededAssociation } from '../support/fixtures.js';
import { startServerSuite, stopSuite } from '../support/suite.js';
import { startSession } from '../../server/src/auth/session.service.js';
import { localDate } from '../../server/src/common/local-time.js';
import type { DirectoryHistoryItem } from '../../server/src/contracts/directory.js';
import { upsertCityEditor } from '../../server/src/directory/directory-accounts.repository.js';
import type { DirectoryAccount } from '../../server/src/directory/directory-accounts.service.js';
import { cityEditor } from '../../server/src/directory/directory-city.service.js';
import { historyPage } from '../../server/src/directory/directory-history.repository.js';
import { directoryHistory, type HistoryViewer } from '../../server/src/directory/directory-history.service.js';
import { importDirectory } from '../../server/src/directory/directory-import.service.js';
import { ensureAssociationArea } from '../../server/src/directory/directory.repository.js';
import { officerEditor } from '../../server/src/directory/directory.service.js';

/**
 * A CSV import in 変更履歴, the services called directly on a real PostgreSQL: one row for the
 * whole file with its counts, shown to whoever sees the importing owner's entries (its officers;
 * a city's editors) and to no one else: not another association, not the city above it, not
 * an organisation whose entry the file wrote. World: city A → association X; city B → Y.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let y: SeededAssociation;
let cityA: string;
const viewers = {} as Record<'officerX' | 'officerY' | 'editorA' | 'editorB' | 'organisation', HistoryViewer>;

const ctx = () => server.app.context;
const today = localDate(new Date(), 'Asia/Tokyo');
const HEADER = '外部ID,団体名,サービス名,説明,悩み,対象,言語,住所,緯度,経度,電話番号,受付時間,予約なし来所,ウェブ,費用,対象地域,最終確認日';
const csv = (...rows: [id: string, organisation: string, name: string, hours: string][]) =>
  Buffer.from([HEADER, ...rows.map(([id, organisation, name, hours]) => `${id},${organisation},${name},,介護,だれでも,日本語,,,,0774-00-2000,${hours},,,,,${today}`)].join('\n'));
const imports = async (viewer: HistoryViewer) => (await directoryHistory(ctx(), viewer, { limit: 100 })).items.filter((i) => i.action === 'imported');

async function officerViewer(a: SeededAssociation): Promise<HistoryViewer> {
  const { db, realtime } = ctx();
  return { kind: 'officer', actor: (await startSession({ db, realtime, sessionTtlHours: 1 }, a.people.officer.id, a.association.id)).actor };
}
const account = (id: string, role: DirectoryAccount['role'], extra: Partial<DirectoryAccount>): DirectoryAccount => ({
  sessionId: 's', csrfToken: 'c', id, role, name: role, login: `${id}@example.jp`, organisationId: null, organisationName: null, areaId: null, ...extra,
});

beforeAll(async () => {
  ({ database, server } = await startServerSuite());
  const { db } = database;
  x = await seedAssociation(db, 'ix');
  y = await seedAssociation(db, 'iy');
  const city = async (code: string, name: string) => (await db.insertInto('directory_areas').values({ kind: 'city', code, name }).returning('id').executeTakeFirstOrThrow()).id;
  cityA = await city('imp-city-a', 'A市');
  const cityB = await city('imp-city-b', 'B市');
  for (const [a, parent] of [[x, cityA], [y, cityB]] as const) {
    await ensureAssociationArea(db, a.association.id);
    await db.updateTable('directory_areas').set({ parent_id: parent }).where('association_id', '=', a.association.id).execute();
  }
  const editorA = (await upsertCityEditor(db, { name: 'A市 福祉課', login: 'a@imp.example.jp', passwordHash: 'x', areaId: cityA }))!;
  const editorB = (await upsertCityEditor(db, { name: 'B市 福祉課', login: 'b@imp.example.jp', passwordHash: 'x', areaId: cityB }))!;
  viewers.officerX = await officerViewer(x);
  viewers.officerY = await officerViewer(y);
  viewers.editorA = { kind: 'account', account: account(editorA, 'city_editor', { areaId: cityA }) };
  viewers.editorB = { kind: 'account', account: account(editorB, 'city_editor', { areaId: cityB }) };
});
afterAll(() => stopSuite({ server, database }));

describe('a CSV import in 変更履歴', () => {
  it('an officer’s import is one row with its counts, newest first; a re-import counts what it changed', async () => {
    const officerX = viewers.officerX as Extract<HistoryViewer, { kind: 'officer' }>;
    const first = await importDirectory(ctx(), officerEditor(officerX.actor), csv(['ix-1', 'X 取込の会', 'X 取込の窓口', '平日'], ['ix-2', 'X 取込の会', 'X 取込の相談', '平日']), true);
    expect(first.summary).toMatchObject({ created: 2, updated: 0 });
    // A preview writes nothing, so it is no row of the history either.
    await importDirectory(ctx(), officerEditor(officerX.actor), csv(['ix-3', 'X 取込の会', 'X 見るだけ', '平日']), false);
    await importDirectory(ctx(), officerEditor(officerX.actor), csv(['ix-1', 'X 取込の会', 'X 取込の窓口', '土日'], ['ix-2', 'X 取込の会', 'X 取込の相談', '平日']), true);

    const rows = await imports(viewers.officerX);
    expect(rows.map((r) => r.imported)).toEqual([
      { rows: 2, created: 0, updated: 1, unchanged: 1 },
      { rows: 2, created: 2, updated: 0, unchanged: 0 },
    ]);
    expect(rows[0]).toMatchObject<Partial<DirectoryHistoryItem>>({ serviceId: null, service: null, fields: [], actor: { kind: 'officer', name: '役員 一郎', login: null } });
    // The entries' own rows are not written per row: the import is the one row.
    const all = (await directoryHistory(ctx(), viewers.officerX, { limit: 100 })).items;
    expect(all.filter((i) => i.service?.startsWith('X 取込'))).toEqual([]);
    expect(all.every((i) => (i.action === 'imported') === (i.imported !== null))).toBe(true);
  });

  it('no one else sees it: not another association’s officer, not the city’s editors, not an organisation whose entry it wrote', async () => {
    expect(await imports(viewers.officerY)).toEqual([]);
    expect(await imports(viewers.editorA)).toEqual([]);
    expect(await imports(viewers.editorB)).toEqual([]);
    const organisation = await database.db.selectFrom('directory_organisations').select('id').where('name', '=', 'X 取込の会').executeTakeFirstOrThrow();
    const login = await database.db.insertInto('directory_accounts').values({ role: 'organisation', organisation_id: organisation.id, name: 'X 取込の会', login: 'torikomi@ix.example.jp' })
      .returning('id').executeTakeFirstOrThrow();
    const ofOrganisation = await directoryHistory(ctx(), { kind: 'account', account: account(login.id, 'organisation', { organisationId: organisation.id }) }, { limit: 100 });
    expect(ofOrganisation.items.filter((i) => i.action === 'imported')).toEqual([]);
  });

  it('a city editor’s import is the city’s editors’ (「市の担当者」 by account), never another city’s or the associations’', async () => {
    const editorA = viewers.editorA as Extract<HistoryViewer, { kind: 'account' }>;
    await importDirectory(ctx(), cityEditor(editorA.account), csv(['ia-1', 'A市 取込の課', 'A市 取込の窓口', '平日']), true);
    const rows = await imports(viewers.editorA);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ imported: { rows: 1, created: 1, updated: 0, unchanged: 0 }, actor: { kind: 'city_editor', name: 'A市 福祉課', login: 'a@imp.example.jp' } });
    expect(await imports(viewers.editorB)).toEqual([]);
    expect((await imports(viewers.officerX)).map((r) => r.imported!.created)).toEqual([0, 2]);
    expect(await imports(viewers.officerY)).toEqual([]);
  });

  it('pages through an import row like any other: its id is a cursor of this history only', async () => {
    const [newest] = await imports(viewers.officerX);
    const after = await directoryHistory(ctx(), viewers.officerX, { limit: 100, before: newest!.id });
    expect(after.items.map((i) => i.imported)).toContainEqual({ rows: 2, created: 2, updated: 0, unchanged: 0 });
    await expect(directoryHistory(ctx(), viewers.officerY, { limit: 100, before: newest!.id })).rejects.toMatchObject({ status: 400, field: 'before' });
  });
});

describe('20261210T0500: earlier imports get their owner', () => {
  it('an officer’s import by their association, a city editor’s by their city; one only in audit_log is copied once; down takes the copy out', async () => {
    const own = await createTestDatabase();
    try {
      const z = await seedAssociation(own.db, 'mi');
      const migrator = new Migrator({ db: own.db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo('20261209T0300_devices_last_seen_unindexed')).error).toBeUndefined();
      const city = await own.db.insertInto('directory_areas').values({ kind: 'city', code: 'mig-city', name: '移行市' }).returning('id').executeTakeFirstOrThrow();
      const editor = (await upsertCityEditor(own.db, { name: '移行市 福祉課', login: 'mig@example.jp', passwordHash: 'x', areaId: city.id }))!;
      const at = (day: number) => new Date(Date.UTC(2026, 10, day, 1));
      const detail = (created: number) => JSON.stringify({ encoding: 'utf-8', rows: created, summary: { created, updated: 0, unchanged: 0, unpublished: 0 }, drafts: 0 });
      // Before 20261209T0200 an officer's import went to audit_log only; since, to both.
      await own.db.insertInto('audit_log').values([
        { association_id: z.association.id, actor_person_id: z.people.officer.id, action: 'directory.imported', detail: detail(1), at: at(1) },
        { association_id: z.association.id, actor_person_id: z.people.officer.id, action: 'directory.imported', detail: detail(2), at: at(2) },
      ]).execute();
      await own.db.insertInto('directory_audit').values([
        { actor_person_id: z.people.officer.id, action: 'directory.imported', detail: detail(2), at: at(2) },
        { actor_account_id: editor, action: 'directory.imported', detail: detail(3), at: at(3) },
      ]).execute();

      expect((await migrator.migrateTo('20261210T0500_directory_audit_import_owner')).error).toBeUndefined();
      const rows = () => own.db.selectFrom('directory_audit').select(['at', 'created_by_association_id', 'owner_area_id', 'copied_from_audit_log'])
        .where('action', '=', 'directory.imported').orderBy('at').execute();
      expect(await rows()).toEqual([
        { at: at(1), created_by_association_id: z.association.id, owner_area_id: null, copied_from_audit_log: true },
        { at: at(2), created_by_association_id: z.association.id, owner_area_id: null, copied_from_audit_log: false },
        { at: at(3), created_by_association_id: null, owner_area_id: city.id, copied_from_audit_log: false },
      ]);
      const page = (scope: { associationId: string } | { cityAreaId: string }) => historyPage(own.db, scope, { actions: ['directory.imported'], before: null, limit: 10 });
      expect((await page({ associationId: z.association.id })).map((r) => r.at)).toEqual([at(2), at(1)]);
      expect((await page({ cityAreaId: city.id })).map((r) => r.at)).toEqual([at(3)]);

      expect((await migrator.migrateDown()).error).toBeUndefined();
      expect((await own.db.selectFrom('directory_audit').select('at').where('action', '=', 'directory.imported').orderBy('at').execute()).map((r) => r.at)).toEqual([at(2), at(3)]);
    } finally {
      await own.drop();
    }
  });
});

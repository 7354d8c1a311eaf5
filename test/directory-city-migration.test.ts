import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator } from 'kysely';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { migrations } from '../migrations/index.js';
import { refreshDemo, seedDemo } from '../server/src/demo/seed.js';
import { DIRECTORY_DEMO_LOGINS } from '../server/src/directory/directory.demo.js';

/**
 * A demo kept from before cities were recorded (20261208T0400): its city-level entries nobody's,
 * its city editor without a city. Migrating up gives the entries (and their organisations) to
 * 京田辺市; the national lines and the association's own entries stay as they were; the demo's
 * start scopes the city editor, once.
 */
let own: TestDatabase;
beforeAll(async () => {
  own = await createTestDatabase();
  await seedDemo(own.db);
  // As the old demo was: back before the city owner, then forward again.
  const migrator = new Migrator({ db: own.db, provider: { getMigrations: async () => migrations } });
  const back = await migrator.migrateTo('20261208T0300_drill_targets_taken_by_checked');
  expect(back.error).toBeUndefined();
  // A city entry that also serves another city's area is no one city's.
  const other = await own.db.insertInto('directory_areas').values({ kind: 'city', code: 'other-city', name: '他市' }).returning('id').executeTakeFirstOrThrow();
  const shared = await own.db.selectFrom('directory_services').select('id').where('name', '=', '子育て相談（デモ）').executeTakeFirstOrThrow();
  await own.db.insertInto('directory_service_areas').values({ service_id: shared.id, area_id: other.id }).execute();
  const forward = await migrator.migrateToLatest();
  expect(forward.error).toBeUndefined();
  // These two first (later migrations follow them).
  expect(forward.results?.map((r) => r.migrationName).slice(0, 2)).toEqual(['20261208T0400_directory_city_owner', '20261208T0700_directory_city_owner_backfill']);
});
afterAll(() => own?.drop());

const owners = async () => {
  const rows = await own.db.selectFrom('directory_services as s').innerJoin('directory_organisations as o', 'o.id', 's.organisation_id')
    .leftJoin('directory_areas as sa', 'sa.id', 's.owner_area_id').leftJoin('directory_areas as oa', 'oa.id', 'o.owner_area_id')
    .select(['s.name', 's.created_by_association_id', 'sa.code as service_owner', 'oa.code as organisation_owner']).orderBy('s.name').execute();
  return Object.fromEntries(rows.map((r) => [r.name, { association: r.created_by_association_id !== null, service: r.service_owner, organisation: r.organisation_owner }]));
};

describe('20261208T0700: the city entries of a kept demo become the city’s', () => {
  it('entries serving 京田辺市 or its school district are 京田辺市’s, with their organisations; the national lines, the association’s own and a two-city entry stay', async () => {
    const o = await owners();
    for (const name of ['介護・高齢者の総合相談（デモ）', 'くらしとお金の相談（デモ）', 'こども食堂（デモ）']) {
      expect(o[name], name).toEqual({ association: false, service: 'kyotanabe', organisation: 'kyotanabe' });
    }
    expect(o['子育て相談（デモ）']).toEqual({ association: false, service: null, organisation: null });
    for (const name of ['よりそいホットライン', '児童相談所虐待対応ダイヤル「189」', 'DV相談ナビ「#8008」']) {
      expect(o[name], name).toEqual({ association: false, service: null, organisation: null });
    }
    expect(o['ふれあいサロン お茶会（デモ）']).toEqual({ association: true, service: null, organisation: null });
  });

  it('the demo’s start gives its city editor 京田辺市, once; a city editor already scoped is left alone', async () => {
    const editor = () => own.db.selectFrom('directory_accounts as d').leftJoin('directory_areas as a', 'a.id', 'd.area_id')
      .select('a.code').where('d.login', '=', DIRECTORY_DEMO_LOGINS.cityEditor).executeTakeFirstOrThrow();
    expect((await editor()).code).toBeNull();
    await refreshDemo(own.db);
    expect((await editor()).code).toBe('kyotanabe');
    const other = await own.db.selectFrom('directory_areas').select('id').where('code', '=', 'other-city').executeTakeFirstOrThrow();
    await own.db.updateTable('directory_accounts').set({ area_id: other.id }).where('login', '=', DIRECTORY_DEMO_LOGINS.cityEditor).execute();
    await refreshDemo(own.db);
    expect((await editor()).code).toBe('other-city');
  });
});

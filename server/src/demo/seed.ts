import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Logger } from '../platform/logger.js';
import { inTransaction } from '../platform/db/transaction.js';
import { hashPassword } from '../auth/password.js';
import { hashPasscode } from '../auth/auth.service.js';
import { hashDeviceSecret } from '../devices/device-credentials.js';
import type { Channel } from '../roster/roster.tables.js';
import { scopeDemoCityEditor, seedDirectoryDemo } from '../directory/directory.demo.js';

/** Fixed so the README can list them; only ever seeded into a demo database. */
export const demo = {
  associationId: '7f3c2a10-5b6e-4d2a-9c1b-000000000001',
  associationName: '田辺東 自治会 (デモ)',
  password: 'tonari-demo',
  logins: [
    { role: '役員 officer', identifier: 'officer@demo.tonari.jp' },
    { role: '班長 captain (1班)', identifier: 'captain1@demo.tonari.jp' },
    { role: '世帯 household', identifier: 'household@demo.tonari.jp' },
    { role: '見守りボランティア volunteer', identifier: 'volunteer@demo.tonari.jp' },
    { role: '家族 family watcher (107)', identifier: 'family@demo.tonari.jp' },
  ],
  joinPasscode: 'DEMO2345',
  device: { id: '7f3c2a10-5b6e-4d2a-9c1b-0000000000d1', password: 'demo-speaker-secret' },
};

const surnames = ['山田', '佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '中村', '小林', '加藤', '吉田', '山本', '松本', '井上', '木村', '林', '清水', '山口', '森', '池田'];
const surnameKana = ['やまだ', 'さとう', 'すずき', 'たかはし', 'たなか', 'いとう', 'わたなべ', 'なかむら', 'こばやし', 'かとう', 'よしだ', 'やまもと', 'まつもと', 'いのうえ', 'きむら', 'はやし', 'しみず', 'やまぐち', 'もり', 'いけだ'];
const givenNames = [['花子', 'はなこ'], ['太郎', 'たろう'], ['幸子', 'さちこ'], ['茂', 'しげる'], ['和子', 'かずこ'], ['博', 'ひろし'], ['節子', 'せつこ'], ['清', 'きよし']] as const;

/** True when the database holds no association yet: a fresh install. */
export async function isEmpty(db: Db): Promise<boolean> {
  const row = await db.selectFrom('associations').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n === 0;
}

/** A demo kept from an earlier version: what it lacks that a fresh demo has (idempotent; at every start with the demo on). */
export async function refreshDemo(db: Db): Promise<void> {
  await scopeDemoCityEditor(db);
}

/**
 * A demo association: 4 班, 100 households (some speaker-only, some paper-only), an
 * officer, a captain per 班, a household login, a volunteer and 6 speakers.
 */
export async function seedDemo(db: Db, log: Pick<Logger, 'error'> = console): Promise<{ id: string; associationId: string; householdId: string; password: string }[]> {
  const passwordHash = await hashPassword(demo.password);
  return inTransaction(db, log, async ({ db: trx }) => {
    const associationId = demo.associationId;
    await trx.insertInto('associations').values({ id: associationId, name: demo.associationName, slug: 'tanabe-higashi-demo' }).execute();
    const blocks = await trx
      .insertInto('blocks')
      .values([1, 2, 3, 4].map((n) => ({ association_id: associationId, name: `${n}班`, sort_order: n })))
      .returning(['id', 'name'])
      .execute();

    const households = await trx
      .insertInto('households')
      .values(
        Array.from({ length: 100 }, (_, i) => {
          const channels: Channel[] = i % 10 === 3 ? ['paper'] : i % 10 === 6 ? ['speaker', 'paper'] : i % 5 === 0 ? ['app', 'speaker'] : ['app'];
          return {
            association_id: associationId,
            block_id: blocks[i % 4]!.id,
            household_number: String(101 + i),
            name: `${surnames[i % surnames.length]}家`,
            address: `京田辺市田辺東${1 + (i % 4)}丁目${10 + i}番地`,
            channels,
            responder_notes: i % 10 === 6 ? '一人暮らし・耳が遠い' : i % 10 === 3 ? 'スマートフォンなし' : '',
          };
        }),
      )
      .returning(['id', 'household_number', 'block_id'])
      .execute();

    const people = households.flatMap((h, i) => {
      const surname = surnames[i % surnames.length]!;
      const members = i % 10 === 6 ? 1 : 2;
      return Array.from({ length: members }, (_, m) => {
        const [given, givenKana] = givenNames[(i + m * 3) % givenNames.length]!;
        return {
          association_id: associationId,
          household_id: h.id,
          name: `${surname} ${given}`,
          kana: `${surnameKana[i % surnameKana.length]} ${givenKana}`,
          phone: `075-${String(600 + i).padStart(3, '0')}-${String(1000 + m).padStart(4, '0')}`.replace(/-/g, ''),
        };
      });
    });
    const insertedPeople = await trx.insertInto('people').values(people).returning(['id', 'household_id']).execute();

    const staff = await trx
      .insertInto('people')
      .values([
        { association_id: associationId, name: '会長 田辺 一郎', kana: 'たなべ いちろう', email: 'officer@demo.tonari.jp', password_hash: passwordHash },
        { association_id: associationId, name: '見守り 西田 恵子', kana: 'にしだ けいこ', email: 'volunteer@demo.tonari.jp', password_hash: passwordHash, phone: '09011112222' },
        { association_id: associationId, name: '民生委員 北村 誠', kana: 'きたむら まこと', phone: '09033334444' },
      ])
      .returning('id')
      .execute();

    // Household i is in 班 i % 4. Each captain lives in the 班 they lead.
    const firstMemberOf = (householdIndex: number) => insertedPeople.find((p) => p.household_id === households[householdIndex]!.id)!.id;
    const householdLogin = firstMemberOf(0);
    const captain1 = firstMemberOf(8);
    await trx.updateTable('people').set({ email: 'household@demo.tonari.jp', password_hash: passwordHash }).where('id', '=', householdLogin).execute();
    await trx.updateTable('people').set({ email: 'captain1@demo.tonari.jp', password_hash: passwordHash }).where('id', '=', captain1).execute();
    await trx
      .insertInto('role_assignments')
      .values([
        { association_id: associationId, person_id: staff[0]!.id, role: 'officer' },
        { association_id: associationId, person_id: staff[1]!.id, role: 'volunteer' },
        { association_id: associationId, person_id: staff[2]!.id, role: 'welfare_commissioner' },
        { association_id: associationId, person_id: captain1, role: 'captain', block_id: blocks[0]!.id },
        ...[1, 2, 3].map((b) => ({ association_id: associationId, person_id: firstMemberOf(b + 4), role: 'captain' as const, block_id: blocks[b]!.id })),
      ])
      .execute();

    // A household with no login yet, and a passcode to join it with (valid for a year).
    const joinHousehold = households[4]!;
    await trx
      .insertInto('household_passcodes')
      .values({ association_id: associationId, household_id: joinHousehold.id, code_hash: hashPasscode(demo.joinPasscode), expires_at: new Date(Date.now() + 365 * 86_400_000) })
      .execute();

    const speakerHouseholds = households.filter((_, i) => i % 10 === 6 || i % 5 === 0).slice(0, 6);
    const secretOf = (i: number) => (i === 0 ? demo.device.password : `demo-speaker-secret-${i}`);
    const devices = await trx
      .insertInto('devices')
      .values(
        speakerHouseholds.map((h, i) => ({
          ...(i === 0 && { id: demo.device.id }),
          association_id: associationId,
          household_id: h.id,
          label: `スピーカー ${h.household_number}`,
          secret_hash: hashDeviceSecret(secretOf(i)),
          credentials_issued_at: new Date(),
        })),
      )
      .returning('id')
      .execute();
    // Homes with a speaker are watched from the start, on the default rules.
    await trx
      .insertInto('watch_settings')
      .values(speakerHouseholds.map((h) => ({ household_id: h.id, association_id: associationId, last_activity_at: new Date(), next_check_at: new Date(Date.now() + 24 * 3600_000) })))
      .execute();
    // The volunteers may watch these homes too (each household can change that).
    await trx.updateTable('watch_settings').set({ share_with_volunteers: true }).where('association_id', '=', associationId).execute();
    // A daughter living elsewhere watches her mother, who lives alone in household 107.
    const family = await trx
      .insertInto('people')
      .values({ association_id: associationId, name: '渡辺 美咲 (娘)', kana: 'わたなべ みさき', email: 'family@demo.tonari.jp', password_hash: passwordHash })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.insertInto('role_assignments').values({ association_id: associationId, person_id: family.id, role: 'family_watcher', household_id: households[6]!.id }).execute();
    // Kyotanabe is in JMA's 京都府南部 (地震情報／細分区域 511), its city 京田辺市 (地震情報／市町村等 2621100): a 震度5弱 there starts a real safety confirmation.
    await trx.insertInto('quake_settings').values({ association_id: associationId, area_codes: ['511'], city_codes: ['2621100'] }).execute();
    // A few public facilities of Kyotanabe as the demo's shelters. NOT copied from the GSI or
    // municipal list (no row of 京田辺市's list, 26211, could be found to copy): names and
    // addresses of real facilities, coordinates read off a map (approximate), and no hazard
    // flags claimed. An officer replaces them by importing the real list (/shelters/import).
    await trx
      .insertInto('shelters')
      .values([
        { source_id: 'demo-1', name: '京田辺市役所', address: '京都府京田辺市田辺80', latitude: 34.8146, longitude: 135.7677 },
        { source_id: 'demo-2', name: '田辺中央体育館', address: '京都府京田辺市田辺丸山19', latitude: 34.8167, longitude: 135.7645 },
        { source_id: 'demo-3', name: '同志社大学 京田辺キャンパス', address: '京都府京田辺市多々羅都谷1-3', latitude: 34.8063, longitude: 135.7668 },
      ].map((s) => ({ ...s, association_id: associationId, capacity: null, hazards: [], also_evacuation_centre: null })))
      .execute();
    // The local support directory: 京都府 → 京田辺市 → its school district → this association.
    await seedDirectoryDemo(trx, associationId, 'tanabe-higashi-demo', demo.associationName, passwordHash);
    // The plain secrets, for a broker that keeps its own copy (Mosquitto's dynamic security).
    return devices.map((d, i) => ({ id: d.id, associationId, householdId: speakerHouseholds[i]!.id, password: secretOf(i) }));
  });
}

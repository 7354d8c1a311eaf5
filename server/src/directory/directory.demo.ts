import type { Kysely, Transaction } from 'kysely';
import { DEFAULT_TIME_ZONE, localDate } from '../common/local-time.js';
import type { Database } from '../platform/db/schema.js';

/**
 * The demo's directory: 京都府 → 京田辺市 → a school district → the demo association, with a
 * few services. Local entries are fictitious and say so (「（デモ）」, 0774-00-000x numbers);
 * the national lines are real public services with their published numbers:
 * - よりそいホットライン 0120-279-338, 24 h, free (一般社団法人社会的包摂サポートセンター;
 *   http://279338.jp/yorisoi/, kotobank.jp 共同通信ニュース用語解説)
 * - 児童相談所虐待対応ダイヤル 189, 24 h, free since 2019-12 (kotobank.jp 日本大百科全書;
 *   city.gojo.lg.jp)
 * - DV相談ナビ #8008 (内閣府; https://www.gov-online.go.jp/cam/no_dvca/dv03/)
 */
/** The demo's directory logins (password: the demo's): an organisation's own, and a city editor's. */
export const DIRECTORY_DEMO_LOGINS = { organisation: 'salon@demo.tonari.jp', cityEditor: 'city@demo.tonari.jp' } as const;

export async function seedDirectoryDemo(trx: Transaction<Database>, associationId: string, slug: string, name: string, passwordHash?: string) {
  const area = async (kind: 'prefecture' | 'city' | 'school_district' | 'association', code: string, areaName: string, parentId: string | null, association: string | null = null) =>
    (await trx.insertInto('directory_areas').values({ kind, code, name: areaName, parent_id: parentId, association_id: association }).returning('id').executeTakeFirstOrThrow()).id;
  const prefecture = await area('prefecture', 'kyoto-pref', '京都府', null);
  const city = await area('city', 'kyotanabe', '京田辺市', prefecture);
  const district = await area('school_district', 'tanabe-higashi-district', '田辺東小学校区（デモ）', city);
  const own = await area('association', slug, name, district, associationId);

  // The city's own entries (serving the city or its school district) are kept by its editor; the national lines by no one.
  const cityKept = (areaId: string) => (areaId === city || areaId === district ? city : null);
  const organisation = async (orgName: string, kind: string, areaId: string) =>
    (await trx.insertInto('directory_organisations').values({ name: orgName, kind, created_by_association_id: null, owner_area_id: cityKept(areaId) }).returning('id').executeTakeFirstOrThrow()).id;
  type Entry = {
    org: string; kind: string; name: string; description: string; worries: string[]; phone: string; hours: string; cost: string;
    walkIn?: boolean; web?: string; address?: string; ageGroups?: string[]; languages?: string[]; areaId: string; own?: boolean;
  };
  const entries: Entry[] = [
    { org: '京田辺市 地域包括支援センター（デモ）', kind: '地域包括支援センター', name: '介護・高齢者の総合相談（デモ）', description: '介護保険の申請、介護の悩み、物忘れ、高齢者の暮らしの相談。', worries: ['care', 'health'], phone: '0774-00-0000', hours: '平日 8:30〜17:15', cost: '無料', walkIn: true, address: '京田辺市（デモ）', ageGroups: ['seniors'], areaId: city },
    { org: '京田辺市 社会福祉協議会（デモ）', kind: '社会福祉協議会', name: 'くらしとお金の相談（デモ）', description: '生活費、借金、支払いの困りごと。必要な窓口につなぎます。', worries: ['money', 'work', 'general'], phone: '0774-00-0001', hours: '平日 9:00〜17:00', cost: '無料', areaId: city },
    { org: '田辺東 ふれあいサロン（デモ）', kind: '居場所・サロン', name: 'ふれあいサロン お茶会（デモ）', description: 'だれでも立ち寄れるお茶とおしゃべりの会。ひとり暮らしの方も気軽にどうぞ。', worries: ['loneliness', 'health'], phone: '0774-00-0002', hours: '毎週水曜 13:30〜15:30', cost: '100円（お茶代）', walkIn: true, address: '田辺東 集会所（デモ）', ageGroups: ['seniors', 'adults'], areaId: own, own: true },
    { org: '田辺東 介護者のつどい（デモ）', kind: '家族会', name: '介護している家族のつどい（デモ）', description: '親の介護をしている人どうしで話せる場。', worries: ['care', 'loneliness'], phone: '0774-00-0003', hours: '毎月第2土曜 10:00〜12:00', cost: '無料', walkIn: true, address: '田辺東 集会所（デモ）', ageGroups: ['adults'], areaId: own, own: true },
    { org: '田辺東こども食堂（デモ）', kind: 'こども食堂', name: 'こども食堂（デモ）', description: '子どもと親がいっしょに晩ごはんを食べられる食堂。', worries: ['child_rearing', 'food', 'loneliness'], phone: '0774-00-0004', hours: '毎月第1・第3金曜 17:00〜19:00', cost: '子ども無料・大人300円', walkIn: true, address: '田辺東小学校区（デモ）', ageGroups: ['children', 'adults'], areaId: district },
    { org: '京田辺市 子育て支援センター（デモ）', kind: '子育て支援', name: '子育て相談（デモ）', description: '子育ての不安、発達、保育の相談。', worries: ['child_rearing', 'health'], phone: '0774-00-0005', hours: '平日 9:00〜16:00', cost: '無料', ageGroups: ['children', 'adults'], areaId: city },
    { org: '一般社団法人 社会的包摂サポートセンター', kind: '電話相談', name: 'よりそいホットライン', description: '暮らしの困りごと、悩み、孤独。どんな相談でも。外国語の相談もあります。', worries: ['general', 'loneliness', 'money', 'violence'], phone: '0120-279-338', hours: '24時間 365日', cost: '無料', web: 'https://www.since2011.net/yorisoi/', languages: ['ja', 'en', 'zh', 'ko', 'vi', 'pt'], ageGroups: ['all'], areaId: prefecture },
    { org: '児童相談所', kind: '電話相談', name: '児童相談所虐待対応ダイヤル「189」', description: '子どもの虐待かもと思ったとき、子育てに悩んだとき。近くの児童相談所につながります。匿名で相談できます。', worries: ['child_rearing', 'violence'], phone: '189', hours: '24時間 365日', cost: '無料', ageGroups: ['children', 'adults'], areaId: prefecture },
    { org: '内閣府', kind: '電話相談', name: 'DV相談ナビ「#8008」', description: '配偶者やパートナーからの暴力の相談。近くの配偶者暴力相談支援センターにつながります。', worries: ['violence'], phone: '#8008', hours: '各相談窓口の受付時間', cost: '通話料がかかります', web: 'https://www.gov-online.go.jp/cam/no_dvca/dv03/', ageGroups: ['adults'], areaId: prefecture },
  ];
  const organisations = new Map<string, string>();
  for (const e of entries) {
    const organisationId = await organisation(e.org, e.kind, e.areaId);
    organisations.set(e.org, organisationId);
    const { id } = await trx.insertInto('directory_services').values({
      organisation_id: organisationId, name: e.name, description: e.description, worries: e.worries, phone: e.phone, hours: e.hours, cost: e.cost,
      walk_in: e.walkIn ?? false, web: e.web ?? '', address: e.address ?? '', age_groups: e.ageGroups ?? [], languages: e.languages ?? ['ja'],
      status: 'published', last_confirmed_on: localDate(new Date(), DEFAULT_TIME_ZONE),
      created_by_association_id: e.own ? associationId : null, owner_area_id: e.own ? null : cityKept(e.areaId),
    }).returning('id').executeTakeFirstOrThrow();
    await trx.insertInto('directory_service_areas').values({ service_id: id, area_id: e.areaId }).execute();
  }
  if (!passwordHash) return;
  // The salon keeps its own entry (its changes wait for an officer's review); the city editor keeps 京田辺市's.
  await trx.insertInto('directory_accounts').values([
    { role: 'organisation', organisation_id: organisations.get('田辺東 ふれあいサロン（デモ）')!, name: '田辺東 ふれあいサロン（デモ）', login: DIRECTORY_DEMO_LOGINS.organisation, password_hash: passwordHash, invited_by_association_id: associationId },
    { role: 'city_editor', organisation_id: null, name: '京田辺市 福祉政策課（デモ）', login: DIRECTORY_DEMO_LOGINS.cityEditor, password_hash: passwordHash, area_id: city },
  ]).execute();
}

/**
 * A kept demo database (seeded before cities were recorded, 20261208T0400): its city editor's
 * login has no city and is refused. Scoped to 京田辺市 if it has none; nothing else changes, so
 * running it at every start is harmless. How many logins it scoped (0 or 1).
 */
export async function scopeDemoCityEditor(db: Kysely<Database>) {
  const city = db.selectFrom('directory_areas').select('id').where('kind', '=', 'city').where('code', '=', 'kyotanabe').limit(1);
  const result = await db.updateTable('directory_accounts').set({ area_id: city })
    .where('login', '=', DIRECTORY_DEMO_LOGINS.cityEditor).where('role', '=', 'city_editor').where('area_id', 'is', null)
    .where((eb) => eb.exists(city)).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

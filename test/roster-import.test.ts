import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';

let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let officer: ApiClient;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer(database);
  x = await seedAssociation(database.db);
  officer = new ApiClient(server.baseUrl);
  await officer.login(x.logins.officer, PASSWORD);
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

const header = '班,世帯番号,世帯名,住所,連絡手段,対応メモ,氏名,ふりがな,電話,メール,言語,役割';
const validRows = [
  '3班,201,中村家,京田辺市田辺東3-1,アプリ・スピーカー,一人暮らし,中村 幸子,なかむら さちこ,0774-11-2233,,日本語,',
  '3班,201,,,,,中村 博,なかむら ひろし,090-2222-3333,hiroshi@example.jp,English,班長',
  '3班,202,小林家,京田辺市田辺東3-2,紙,,小林 節子,こばやし せつこ,,,,',
  ',,,,,,北村 誠,きたむら まこと,090-4444-5555,,,民生委員',
];
const csv = (rows: string[]) => [header, ...rows].join('\r\n') + '\r\n';
const bom = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);

const countHouseholds = async () =>
  (await database.db.selectFrom('households').select((eb) => eb.fn.countAll<string>().as('n')).where('association_id', '=', x.association.id).executeTakeFirstOrThrow()).n;

describe('roster import', () => {
  it('previews a UTF-8 file with BOM without writing anything', async () => {
    const before = await countHouseholds();
    const response = await officer.request('POST', '/api/roster/import?mode=preview', bom(csv(validRows)));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      committed: false, encoding: 'utf-8', rows: 4, errors: [],
      summary: { blocks: { created: 1 }, households: { created: 2 }, people: { created: 4 } },
    });
    expect(await countHouseholds()).toBe(before);
  });

  it('reports every bad line with its number and column, and writes nothing even on commit', async () => {
    const rows = [
      ...validRows,
      '3班,203,,京田辺市,アプリ,,森 清,,,,,', // line 6: no 世帯名
      '3班,204,森家,京田辺市,ファクス,,森 和子,,12345,not-an-email,火星語,会長', // line 7: five problems
      '3班,201,中村家,別の住所,,,中村 三郎,,,,,', // line 8: contradicts line 2
    ];
    const before = await countHouseholds();
    const response = await officer.request('POST', '/api/roster/import?mode=commit', bom(csv(rows)));
    expect(response.status).toBe(200);
    expect(response.body.committed).toBe(false);
    const errors = response.body.errors as { line: number; column: string; message: string }[];
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [6, '世帯名'], [7, '連絡手段'], [7, '電話'], [7, 'メール'], [7, '言語'], [7, '役割'], [8, '住所'],
    ]);
    expect(errors.find((e) => e.line === 8)!.message).toContain('line 2');
    expect(await countHouseholds()).toBe(before);
  });

  it('reads Shift_JIS (CP932) as Excel writes it, including characters outside JIS X 0208 like ①', async () => {
    const rows = ['5班,501,髙橋家,京田辺市①番地,紙,,髙橋 𠮷男,たかはし,,,,'.replace('𠮷', '吉')];
    const response = await officer.request('POST', '/api/roster/import?mode=commit', iconv.encode(csv(rows), 'cp932'));
    expect(response.body.errors).toEqual([]);
    expect(response.body).toMatchObject({ committed: true, encoding: 'shift_jis', summary: { households: { created: 1 } } });
    const household = await database.db.selectFrom('households').selectAll().where('household_number', '=', '501').where('association_id', '=', x.association.id).executeTakeFirstOrThrow();
    expect(household.name).toBe('髙橋家');
    expect(household.address).toBe('京田辺市①番地');
    expect(household.channels).toEqual(['paper']);
  });

  it('commits a valid file: blocks, households, people, a captain and a welfare commissioner', async () => {
    const response = await officer.request('POST', '/api/roster/import?mode=commit', Buffer.from(csv(validRows)));
    expect(response.body).toMatchObject({ committed: true, errors: [], summary: { households: { created: 2 }, people: { created: 4 } } });
    const blocks = await officer.get('/api/blocks');
    const block3 = blocks.body.items.find((b: { name: string }) => b.name === '3班');
    expect(block3.householdCount).toBe(2);
    expect(block3.captains.map((c: { name: string }) => c.name)).toEqual(['中村 博']);
    const list = await officer.get(`/api/households?blockId=${block3.id}`);
    const nakamura = await officer.get(`/api/households/${list.body.items[0].id}`);
    expect(nakamura.body).toMatchObject({ name: '中村家', channels: ['app', 'speaker'], responderNotes: '一人暮らし' });
    expect(nakamura.body.members.map((m: { phone: string }) => m.phone)).toEqual(['0774112233', '09022223333']);
    const people = await officer.get('/api/people?withoutHousehold=true&q=北村');
    expect(people.body.items[0].roles).toContain('welfare_commissioner');
  });

  it('importing the same file again changes nothing', async () => {
    const response = await officer.request('POST', '/api/roster/import?mode=commit', Buffer.from(csv(validRows)));
    expect(response.body.summary).toEqual({
      blocks: { created: 0, unchanged: 1 },
      households: { created: 0, updated: 0, unchanged: 2 },
      people: { created: 0, updated: 0, unchanged: 4 },
    });
  });

  it('exports a roster that imports back unchanged, as UTF-8 with BOM or Shift_JIS', async () => {
    const utf8 = await fetch(`${server.baseUrl}/api/roster/export`, { headers: { cookie: officer.cookie } });
    expect(utf8.headers.get('content-type')).toContain('text/csv');
    const bytes = Buffer.from(await utf8.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('中村 博');
    const back = await officer.request('POST', '/api/roster/import?mode=preview', bytes);
    expect(back.body.errors).toEqual([]);
    expect(back.body.summary.households.created + back.body.summary.households.updated).toBe(0);
    expect(back.body.summary.people.created + back.body.summary.people.updated).toBe(0);

    const sjis = await fetch(`${server.baseUrl}/api/roster/export?encoding=shift_jis`, { headers: { cookie: officer.cookie } });
    const sjisBytes = Buffer.from(await sjis.arrayBuffer());
    expect(iconv.decode(sjisBytes, 'cp932')).toContain('髙橋家');
    const backSjis = await officer.request('POST', '/api/roster/import?mode=preview', sjisBytes);
    expect(backSjis.body).toMatchObject({ encoding: 'shift_jis', errors: [] });
    expect(backSjis.body.summary.people.created).toBe(0);
  });

  it('refuses a file without the required columns, an empty body and an oversize upload', async () => {
    const noColumns = await officer.request('POST', '/api/roster/import', Buffer.from('name,address\nx,y\n'));
    expect(noColumns.body.errors[0]).toMatchObject({ line: 1, column: '世帯番号' });
    const empty = await officer.request('POST', '/api/roster/import', Buffer.alloc(0));
    expect(empty.status).toBe(400);
    const huge = await officer.request('POST', '/api/roster/import', Buffer.alloc(6 * 1024 * 1024, 0x41));
    expect(huge.status).toBe(413);
    expect(huge.body.error.message).toContain('5 MB');
  });
});

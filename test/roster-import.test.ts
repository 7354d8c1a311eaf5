import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import type { ApiClient } from './support/http-client.js';
import type { SeededAssociation } from './support/fixtures.js';
import { loggedInClient, startSuite, stopSuite } from './support/suite.js';

let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let officer: ApiClient;

beforeAll(async () => {
  ({ database, server, x } = await startSuite());
  officer = await loggedInClient(server, x.logins.officer);
});
afterAll(() => stopSuite({ server, database }));

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

describe('roster CSV fidelity and formula cells', () => {
  // Names a resident or a careless officer could type: formulas for Excel, a real leading
  // apostrophe, a compatibility ideograph (神 U+FA19, which NFC would turn into U+795E), 髙 and ①.
  const hostile = ['=HYPERLINK("http://x","y")', '+1', '-2', '@SUM(A1)', "'先頭", '\uFA19田 太郎', '髙橋 ①', '＝1+2'];
  const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;
  const hostileRows = hostile.map((name, i) => `9班,${901 + i},${quote(name)},${quote(name)},紙,${quote(name)},${quote(name)},${quote(name)},,,,`);
  const stored = async () =>
    (await database.db
      .selectFrom('people')
      .innerJoin('households', 'households.id', 'people.household_id')
      .select(['people.name', 'people.kana', 'households.name as household', 'households.address', 'households.responder_notes'])
      .where('households.household_number', 'in', hostile.map((_, i) => String(901 + i)))
      .where('households.association_id', '=', x.association.id)
      .orderBy('households.household_number')
      .execute()).map((r) => [r.name, r.kana, r.household, r.address, r.responder_notes]);

  it('stores every character as written, compatibility ideographs included', async () => {
    const response = await officer.request('POST', '/api/roster/import?mode=commit', bom(csv(hostileRows)));
    expect(response.body).toMatchObject({ committed: true, errors: [] });
    expect(await stored()).toEqual(hostile.map((name) => [name, name, name, name, name]));
  });

  it('exports formula-like cells neutralised, and they import back to the same stored values (UTF-8 and Shift_JIS)', async () => {
    for (const encoding of ['utf-8', 'shift_jis']) {
      const response = await fetch(`${server.baseUrl}/api/roster/export?encoding=${encoding}`, { headers: { cookie: officer.cookie } });
      expect(response.status).toBe(200);
      const bytes = Buffer.from(await response.arrayBuffer());
      const text = encoding === 'utf-8' ? bytes.toString('utf8') : iconv.decode(bytes, 'cp932');
      expect(text).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
      expect(text).toContain(`"'+1"`);
      expect(text).toContain(`"'＝1+2"`);
      expect(text).toContain("'先頭"); // not a formula: written as it is
      expect(text).not.toMatch(/(^|,)[=+\-@＝＋－＠]/m);
      expect(text).toContain('\uFA19田 太郎');

      const back = await officer.request('POST', '/api/roster/import?mode=commit', bytes);
      expect(back.body.errors).toEqual([]);
      expect(back.body.summary.households).toMatchObject({ created: 0, updated: 0 });
      expect(back.body.summary.people).toMatchObject({ created: 0, updated: 0 });
      expect(await stored()).toEqual(hostile.map((name) => [name, name, name, name, name]));
    }
  });

  it('refuses a Shift_JIS export that would write a silent ?, naming the row, column and character; UTF-8 still has it', async () => {
    const add = await officer.request('POST', '/api/roster/import?mode=commit', bom(csv(['9班,950,𠮷野家,京田辺市,紙,,𠮷野 花子,,,,,'])));
    expect(add.body).toMatchObject({ committed: true, errors: [] });
    const sjis = await officer.request('GET', '/api/roster/export?encoding=shift_jis');
    expect(sjis.status).toBe(422);
    expect(sjis.body.error).toMatchObject({ code: 'not_encodable', field: 'encoding' });
    expect(sjis.body.error.message).toContain('UTF-8');
    const issues = sjis.body.error.issues as { field: string; message: string }[];
    expect(issues.map((i) => i.field.replace(/^row \d+, /, ''))).toEqual(['世帯名', '氏名']);
    expect(issues[0]!.message).toContain('𠮷 (U+20BB7)');
    expect(issues[1]!.message).toContain('𠮷野 花子');
    const utf8 = await fetch(`${server.baseUrl}/api/roster/export`, { headers: { cookie: officer.cookie } });
    expect(Buffer.from(await utf8.arrayBuffer()).toString('utf8')).toContain('𠮷野 花子');
  });

  it('points an error at the line where its record starts, after a multi-line cell', async () => {
    const rows = [
      '8班,801,森家,"京田辺市\r\n1-2-3",紙,"一人暮らし\r\n耳が遠い\r\n犬がいる",森 清,,,,,', // lines 2-5
      '8班,802,,京田辺市,紙,,森 和子,,,,,', // line 6: no 世帯名
    ];
    const response = await officer.request('POST', '/api/roster/import?mode=preview', bom(csv(rows)));
    expect(response.body.errors.map((e: { line: number; column: string }) => [e.line, e.column])).toEqual([[6, '世帯名']]);
  });

  it('ignores rows that are empty or only commas, as Excel writes them', async () => {
    const rows = [validRows[0]!, ',,,,,,,,,,,', '', validRows[2]!, ',,,,,,,,,,,', ',,,,,,,,,,,'];
    const response = await officer.request('POST', '/api/roster/import?mode=preview', bom(csv(rows)));
    expect(response.body).toMatchObject({ rows: 2, errors: [] });
  });

  it("reads Excel's Unicode text (UTF-16 LE with BOM, tab-separated)", async () => {
    const tsv = [header, '7班,701,西田家,京田辺市,紙,,\uFA19田 次郎,,,,,'].map((line) => line.replaceAll(',', '\t')).join('\r\n') + '\r\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(tsv, 'utf16le')]);
    const response = await officer.request('POST', '/api/roster/import?mode=commit', bytes);
    expect(response.body).toMatchObject({ committed: true, encoding: 'utf-16le', rows: 1, errors: [] });
    const person = await database.db
      .selectFrom('people').innerJoin('households', 'households.id', 'people.household_id').select('people.name')
      .where('households.association_id', '=', x.association.id).where('households.household_number', '=', '701')
      .executeTakeFirstOrThrow();
    expect(person.name).toBe('\uFA19田 次郎');
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { loggedInClient, startSuite, stopSuite } from './support/suite.js';
import { localDate } from '../server/src/common/local-time.js';

/**
 * The directory's CSV import and export over HTTP: the documented example (UTF-8 and
 * Shift_JIS), a preview that writes nothing, rows without a contact saved as drafts, malformed
 * rows refused by line and column with nothing written, re-imports that update by 外部ID and
 * never duplicate, another association's id refused, and an export that imports back unchanged.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let y: SeededAssociation;
let officer: ApiClient;
let officerY: ApiClient;

const today = localDate(new Date(), 'Asia/Tokyo');
/** The example file with every 最終確認日 set to today, so that it is current whenever the test runs. */
const example = (name = 'directory-example.csv') => {
  const bytes = readFileSync(path.resolve('test/fixtures/directory', name));
  const sjis = name.includes('sjis');
  const text = (sjis ? iconv.decode(bytes, 'cp932') : bytes.toString('utf8')).replace(/2026(-11-20|\/11\/2|年10月15日)/g, today);
  return sjis ? iconv.encode(text, 'cp932') : Buffer.from(text);
};
const upload = (client: ApiClient, mode: 'preview' | 'commit', bytes: Buffer) => client.request('POST', `/api/directory/import?mode=${mode}`, bytes);
const download = async (client: ApiClient, encoding: 'utf-8' | 'shift_jis') => {
  const response = await fetch(`${server.baseUrl}/api/directory/export?encoding=${encoding}`, { headers: { cookie: client.cookie } });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
};
const servicesOf = async (associationId: string) =>
  database.db.selectFrom('directory_services').select(['name', 'status', 'external_id', 'hours']).where('created_by_association_id', '=', associationId).orderBy('name').execute();
const areaCode = async (associationId: string) =>
  (await database.db.selectFrom('directory_areas').select('code').where('association_id', '=', associationId).executeTakeFirstOrThrow()).code;

beforeAll(async () => {
  ({ database, server, x } = await startSuite({ label: 'dircsv' }));
  y = await seedAssociation(database.db, 'dircsv-y');
  [officer, officerY] = await Promise.all([loggedInClient(server, x.logins.officer), loggedInClient(server, y.logins.officer)]);
});
afterAll(() => stopSuite({ server, database }));

describe('directory import', () => {
  it('previews the example without writing, then saves its Shift_JIS copy: the contactless row as a draft, reported by line', async () => {
    const preview = await upload(officer, 'preview', example());
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ committed: false, encoding: 'utf-8', rows: 4, errors: [], summary: { created: 4, updated: 0, unchanged: 0, unpublished: 1 } });
    expect(preview.body.warnings).toEqual([expect.objectContaining({ line: 6, column: '電話番号' })]);
    expect(preview.body.items.map((i: { status: string; change: string }) => `${i.status}/${i.change}`)).toEqual(['published/create', 'published/create', 'published/create', 'draft/create']);
    expect(await servicesOf(x.association.id)).toEqual([]);

    const saved = await upload(officer, 'commit', example('directory-example.sjis.csv'));
    expect(saved.body).toMatchObject({ committed: true, encoding: 'shift_jis', errors: [], summary: { created: 4, unpublished: 1 } });
    expect((await servicesOf(x.association.id)).map((s) => [s.external_id, s.status])).toEqual(expect.arrayContaining([
      ['kyotanabe-0001', 'published'], ['kyotanabe-0002', 'published'], ['kyotanabe-0003', 'published'], ['kyotanabe-0004', 'draft'],
    ]));
    const audit = await database.db.selectFrom('audit_log').select('detail').where('association_id', '=', x.association.id).where('action', '=', 'directory.imported').execute();
    expect(audit).toHaveLength(1);

    // Anyone finds the published entries by their worries; the draft never shows.
    const search = await new ApiClient(server.baseUrl).get(`/api/directory/search?worries=care,loneliness,child_rearing&area=${await areaCode(x.association.id)}`);
    expect(search.body.results.map((r: { name: string }) => r.name).sort()).toEqual(['お茶とおしゃべりの会（例）', '介護の総合相談（例）']);
    expect(search.body.results.find((r: { name: string }) => r.name === '介護の総合相談（例）')).toMatchObject({
      organisation: '京田辺市 地域包括支援センター（例）', phone: '0774-00-1001', walkIn: true, lat: 34.8144, lon: 135.7676, hours: '平日 8:30～17:15', lastConfirmedOn: today,
    });
  });

  it('re-imports by 外部ID: the same file changes nothing, a changed row is updated, none duplicated', async () => {
    const again = await upload(officer, 'commit', example());
    expect(again.body.summary).toMatchObject({ created: 0, updated: 0, unchanged: 4 });
    const changed = example().toString('utf8').replace('平日 8:30～17:15', '平日 9:00～16:00');
    const updated = await upload(officer, 'commit', Buffer.from(changed));
    expect(updated.body.summary).toMatchObject({ created: 0, updated: 1, unchanged: 3 });
    const rows = await servicesOf(x.association.id);
    expect(rows).toHaveLength(4);
    expect(rows.find((r) => r.external_id === 'kyotanabe-0001')!.hours).toBe('平日 9:00～16:00');
  });

  it('a file that confirms a stale entry publishes it again (the freshness job will not hide it); a draft given its contact is published', async () => {
    await database.db.updateTable('directory_services').set({ status: 'stale', stale_since: today }).where('external_id', '=', 'kyotanabe-0002').execute();
    const withPhone = example().toString('utf8').replace('子育て,子ども・大人,日本語,,,,,毎月第2火曜', '子育て,子ども・大人,日本語,,,,0774-00-1004,毎月第2火曜');
    const saved = await upload(officer, 'commit', Buffer.from(withPhone));
    expect(saved.body.summary).toMatchObject({ created: 0, updated: 3, unpublished: 0 }); // 0001's hours (the test before changed them), 0002, 0004
    const rows = await database.db.selectFrom('directory_services').select(['external_id', 'status', 'stale_since']).where('external_id', 'in', ['kyotanabe-0002', 'kyotanabe-0004']).orderBy('external_id').execute();
    expect(rows).toEqual([
      { external_id: 'kyotanabe-0002', status: 'published', stale_since: null },
      { external_id: 'kyotanabe-0004', status: 'published', stale_since: null },
    ]);
    // Put back as the example has it (the next tests start from it): the draft without a contact.
    expect((await upload(officer, 'commit', example())).body.summary).toMatchObject({ updated: 1 });
  });

  it('refuses a file with malformed rows by line and column, and writes none of its rows', async () => {
    const before = await servicesOf(x.association.id);
    const text = [
      '外部ID,団体名,サービス名,悩み,電話番号,緯度,経度,最終確認日',
      'kyotanabe-0001,京田辺市 地域包括支援センター（例）,介護の総合相談（例）,介護,0774-00-9999,,,', // a good change: not saved either
      'new-1,新しい会,新しい窓口,宇宙,0774-00-0000,,,',
      'new-2,新しい会,窓口2,介護,0774-00-0000,134.8,135.7,',
      `new-3,新しい会,窓口3,介護,0774-00-0000,,,${today.slice(0, 4)}-02-30`,
    ].join('\r\n');
    const response = await upload(officer, 'commit', Buffer.from(text));
    expect(response.status).toBe(200);
    expect(response.body.committed).toBe(false);
    expect(response.body.errors.map((e: { line: number; column: string }) => [e.line, e.column])).toEqual([[3, '悩み'], [4, '緯度'], [5, '最終確認日']]);
    expect(await servicesOf(x.association.id)).toEqual(before);
  });

  it('refuses, by line, an id another association keeps and an area the association may not serve', async () => {
    const text = [
      '外部ID,団体名,サービス名,悩み,電話番号,対象地域',
      'kyotanabe-0001,乗っ取りの会,乗っ取り,介護,0774-00-0000,',
      'y-1,Yの会,Yの窓口,お金,0774-00-0001,',
    ].join('\r\n');
    const taken = await upload(officerY, 'commit', Buffer.from(text));
    expect(taken.body.errors).toEqual([expect.objectContaining({ line: 2, column: '外部ID' })]);
    expect(await servicesOf(y.association.id)).toEqual([]);
    expect((await servicesOf(x.association.id)).find((r) => r.external_id === 'kyotanabe-0001')!.name).toBe('介護の総合相談（例）');

    const xCode = await areaCode(x.association.id);
    const wider = await upload(officerY, 'preview', Buffer.from(`外部ID,団体名,サービス名,悩み,電話番号,対象地域\r\ny-1,Yの会,Yの窓口,お金,0774-00-0001,${xCode}\r\n`));
    expect(wider.body.errors).toEqual([expect.objectContaining({ line: 2, column: '対象地域' })]);
    const own = await upload(officerY, 'commit', Buffer.from(text.split('\r\n').filter((_, i) => i !== 1).join('\r\n')));
    expect(own.body).toMatchObject({ committed: true, summary: { created: 1 } });
  });

  it('refuses an empty body and an oversize upload', async () => {
    expect((await upload(officer, 'preview', Buffer.alloc(0))).status).toBe(400);
    const huge = await upload(officer, 'preview', Buffer.alloc(3 * 1024 * 1024, 0x41));
    expect(huge.status).toBe(413);
  });
});

describe('directory export', () => {
  it('downloads the association’s own entries, named by the date, and they import back unchanged (UTF-8 and Shift_JIS)', async () => {
    // One added in the app too: it has no 外部ID of the file's, the export gives it its own.
    const added = await officer.post('/api/directory/services', { organisation: '=危ない会', name: 'アプリで追加', worries: ['food'], web: 'https://example.org/food', status: 'published' });
    expect(added.status).toBe(201);

    const utf8 = await download(officer, 'utf-8');
    expect(utf8.status).toBe(200);
    expect(utf8.headers.get('content-type')).toContain('text/csv');
    expect(utf8.headers.get('content-disposition')).toContain(`directory-${today}.csv`);
    expect([...utf8.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = utf8.bytes.toString('utf8');
    expect(text).toContain('"\'=危ない会"');
    expect(text).toContain('孤独・孤立・健康');
    expect(text).not.toContain('Yの窓口');
    expect(text.trim().split('\r\n')).toHaveLength(1 + 5 + 1); // the header, five entries (one description spans two lines)

    const back = await upload(officer, 'commit', utf8.bytes);
    expect(back.body).toMatchObject({ errors: [], summary: { created: 0, updated: 0, unchanged: 5 } });

    const sjis = await download(officer, 'shift_jis');
    expect(sjis.status).toBe(200);
    expect(iconv.decode(sjis.bytes, 'cp932')).toContain('介護の総合相談（例）');
    const backSjis = await upload(officer, 'preview', sjis.bytes);
    expect(backSjis.body).toMatchObject({ encoding: 'shift_jis', errors: [], summary: { created: 0, updated: 0, unchanged: 5 } });
    expect(await servicesOf(x.association.id)).toHaveLength(5);
  });

  it('refuses Shift_JIS, naming the cells, when a character would not survive it', async () => {
    await officer.post('/api/directory/services', { organisation: '𠮷田の会', name: '𠮷田の相談', worries: ['money'], phone: '0774-00-0002' });
    const refused = await officer.request('GET', '/api/directory/export?encoding=shift_jis');
    expect(refused.status).toBe(422);
    expect(refused.body.error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ field: expect.stringContaining('団体名') })]));
    expect((await download(officer, 'utf-8')).bytes.toString('utf8')).toContain('𠮷田の相談');
  });
});

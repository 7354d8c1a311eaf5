import { readFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import ja from '../../../web/src/i18n/ja.json' with { type: 'json' };
import { WORRIES } from '../contracts/directory.js';
import { parseDirectoryCsv, readDate, splitWords, worryLabels, writeDirectoryCsv, type DirectoryExportRow } from './directory-csv.js';

const TODAY = '2026-12-01';
const header = '外部ID,団体名,サービス名,悩み,電話番号,緯度,経度,最終確認日';
const parse = (text: string) => parseDirectoryCsv(Buffer.from(text), TODAY);

describe('the directory CSV', () => {
  it('reads the documented example, in UTF-8 and in Shift_JIS alike', () => {
    const utf8 = parseDirectoryCsv(readFileSync(path.resolve('test/fixtures/directory/directory-example.csv')), TODAY);
    const sjis = parseDirectoryCsv(readFileSync(path.resolve('test/fixtures/directory/directory-example.sjis.csv')), TODAY);
    expect(utf8).toMatchObject({ encoding: 'utf-8', records: 4, errors: [] });
    expect(sjis).toMatchObject({ encoding: 'shift_jis', records: 4, errors: [] });
    expect(sjis.rows).toEqual(utf8.rows);
    expect(utf8.rows[1]).toMatchObject({
      line: 3, externalId: 'kyotanabe-0002', worries: ['loneliness', 'health'], ageGroups: ['seniors', 'adults'], languages: ['ja', 'easy-ja'],
      walkIn: true, lat: null, lastConfirmedOn: '2026-11-02',
    });
    // A quoted description over two lines: the next row is still numbered as an editor shows it.
    expect(utf8.rows[2]).toMatchObject({ line: 4, worries: ['money', 'work', 'general'], web: 'https://example.org/kyotanabe-shakyo', lastConfirmedOn: '2026-10-15' });
    expect(utf8.rows[3]).toMatchObject({ line: 6, phone: '', address: '', web: '', lastConfirmedOn: null });
  });

  it('knows every worry by the label the web app shows (ja.json), and splits 孤独・孤立 as one', () => {
    for (const code of WORRIES) expect(worryLabels[code][0]).toBe(ja.directory.worry[code]);
    const words = new Map(Object.entries(worryLabels).flatMap(([code, labels]) => [code, ...labels].map((w) => [w.toLowerCase(), code] as const)));
    expect(splitWords('孤独・孤立・介護', words)).toEqual({ codes: ['loneliness', 'care'] });
    expect(splitWords('ｍｏｎｅｙ；介護', words)).toEqual({ codes: ['money', 'care'] });
    expect(splitWords('介護・宇宙', words)).toEqual({ codes: ['care'], unknown: '宇宙' });
  });

  it('reads dates as Excel rewrites them, and refuses days that do not exist', () => {
    expect(readDate('2026/1/5')).toBe('2026-01-05');
    expect(readDate('２０２６年１２月１日')).toBe('2026-12-01');
    expect(readDate('2026-02-30')).toBeNull();
    expect(readDate('令和8年12月1日')).toBeNull();
  });

  it('reports each malformed row by line and column, and keeps none of them', () => {
    const parsed = parse([
      header,
      'a1,会,窓口,宇宙の悩み,0774-00-0000,,,',
      'a2,会,窓口2,介護,0774-00-0000,91,135,',
      'a3,会,窓口3,介護,0774-00-0000,34.8,東経135度,',
      'a4,会,窓口4,介護,0774-00-0000,34.8,,',
      'a5,会,窓口5,介護,0774-00-0000,,,2026-13-01',
      'a6,会,窓口6,介護,0774-00-0000,,,2027-01-01',
      'a7,会,窓口7,,0774-00-0000,,,',
      'a1,会,窓口8,介護,電話して,,,',
      'a9,会,窓口9,介護,0774-00-0009,,,',
    ].join('\r\n'));
    expect(parsed.rows.map((r) => r.line)).toEqual([10]);
    expect(parsed.errors.map((e) => [e.line, e.column])).toEqual([
      [2, '悩み'], [3, '緯度'], [4, '経度'], [5, '経度'], [6, '最終確認日'], [7, '最終確認日'], [8, '悩み'], [9, '電話番号'], [9, '外部ID'],
    ]);
    expect(parsed.errors[0]!.message).toContain('"宇宙の悩み" is not a worry');
  });

  it('says which required column the header lacks', () => {
    expect(parse('団体名,電話番号\n会,0774\n').errors).toEqual([expect.objectContaining({ line: 1, column: 'サービス名' }), expect.objectContaining({ line: 1, column: '悩み' })]);
  });

  it('exports what it imports: hostile cells neutralised, labels in Japanese, the same rows back (UTF-8 and Shift_JIS)', () => {
    const rows: DirectoryExportRow[] = [{
      externalId: 'x-1', organisation: '=HYPERLINK("http://evil")', name: '相談', description: '1行目\n2行目, "引用"', worries: ['loneliness', 'care'],
      ageGroups: ['seniors'], languages: ['ja', 'easy-ja'], address: '', lat: 34.81, lon: 135.76, phone: '+81-774-00-0000', hours: '平日',
      walkIn: true, web: '', cost: '-', areas: ['tanabe-higashi'], lastConfirmedOn: '2026-11-30',
    }];
    for (const encoding of ['utf-8', 'shift_jis'] as const) {
      const written = writeDirectoryCsv(rows, encoding);
      if (!written.ok) throw new Error('not written');
      const back = parseDirectoryCsv(written.csv, TODAY);
      expect(back.errors).toEqual([]);
      expect(back.encoding).toBe(encoding);
      const { line: _line, ...row } = back.rows[0]!;
      expect(row).toEqual(rows[0]);
    }
    const text = (writeDirectoryCsv(rows, 'utf-8') as { csv: Buffer }).csv.toString('utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(text).toContain('孤独・孤立・介護');
  });

  it('writes Shift_JIS only when every character survives it, and says which cells do not', () => {
    const row: DirectoryExportRow = {
      externalId: 'x-2', organisation: '𠮷野家の会', name: '相談', description: '', worries: ['care'], ageGroups: [], languages: ['ja'], address: '',
      lat: null, lon: null, phone: '0774', hours: '9時〜17時', walkIn: false, web: '', cost: '', areas: [], lastConfirmedOn: '2026-11-30',
    };
    expect(writeDirectoryCsv([row], 'shift_jis')).toEqual({
      ok: false, unencodable: [{ row: 2, column: '団体名', name: '相談', characters: ['𠮷'] }, { row: 2, column: '受付時間', name: '相談', characters: ['〜'] }],
    });
    const ok = writeDirectoryCsv([{ ...row, organisation: '髙橋の会', hours: '9時～17時' }], 'shift_jis');
    expect(ok.ok && iconv.decode(ok.csv, 'cp932')).toContain('髙橋の会');
  });
});

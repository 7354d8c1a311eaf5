import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { neutraliseCell, restoreCell, stringifyCsv } from '../platform/http/csv.js';
import { parseRosterCsv, writeRosterCsv, type ExportRow } from './roster-csv.js';

const header = '班,世帯番号,世帯名,住所,連絡手段,対応メモ,氏名,ふりがな,電話,メール,言語,役割';
const hostile = ['=HYPERLINK("http://x","y")', '+1', '-2', '@SUM(A1)', "'先頭", "'=1+2", "''@x", '神', '髙', '①', '＝1+2', '＋1', '－2', '＠SUM'];

const person = (name: string, householdNumber: string, extra: Partial<ExportRow> = {}): ExportRow => ({
  block: '1班', householdNumber, householdName: name, address: name, channels: ['app'], responderNotes: name,
  name, kana: name, phone: null, email: null, language: 'ja', roles: [], ...extra,
});

describe('CSV cells that a spreadsheet would evaluate', () => {
  it('are prefixed with an apostrophe and quoted, including the full-width forms and tab/CR', () => {
    const csv = stringifyCsv([['=1+2', '+1', '-2', '@SUM(A1)', '\t=1', '\r=1', '＝1+2', '＋1', '－2', '＠A', 'safe', "'先頭", '']]);
    const [cells] = parse(csv, { relax_quotes: false }) as string[][];
    expect(cells).toEqual(["'=1+2", "'+1", "'-2", "'@SUM(A1)", "'\t=1", "'\r=1", "'＝1+2", "'＋1", "'－2", "'＠A", 'safe', "'先頭", '']);
    // Quoted as OWASP recommends, so no tool splits the cell or reads the prefix as a separate field.
    expect(csv.startsWith(`"'=1+2","'+1","'-2"`)).toBe(true);
  });

  it('restoreCell removes exactly the apostrophe neutraliseCell added, so a real leading apostrophe survives', () => {
    for (const value of [...hostile, "'", "''", "'''=x", 'a=b', '', "'\t"]) expect(restoreCell(neutraliseCell(value))).toBe(value);
    expect(neutraliseCell("'先頭")).toBe("'先頭");
    expect(neutraliseCell("'=x")).toBe("''=x");
  });
});

describe('roster CSV', () => {
  it('exports hostile names neutralised and imports them back unchanged (UTF-8)', () => {
    const rows = hostile.map((name, i) => person(name, String(100 + i)));
    const written = writeRosterCsv(rows, 'utf-8');
    if (!written.ok) throw new Error('UTF-8 holds everything');
    const text = written.csv.toString('utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(text).not.toMatch(/(^|,)[=+\-@＝＋－＠]/m);
    const parsed = parseRosterCsv(written.csv);
    expect(parsed.errors).toEqual([]);
    expect(parsed.people.map((p) => p.name)).toEqual(hostile);
    expect(parsed.people.map((p) => p.kana)).toEqual(hostile);
    expect(parsed.households.map((h) => [h.name, h.address, h.responderNotes])).toEqual(hostile.map((n) => [n, n, n]));
  });

  it('keeps compatibility ideographs and every other character exactly as written (no NFC/NFKC)', () => {
    const names = ['\uFA19田 一', '髙橋 ①', 'ｶﾀｶﾅ', 'Ａｂｃ', 'が\u3099', '𠮷野'];
    const csv = [header, ...names.map((n, i) => `1班,${i + 1},${n}家,${n},,${n},${n},${n},,,,`)].join('\r\n');
    const parsed = parseRosterCsv(Buffer.from(csv));
    expect(parsed.errors).toEqual([]);
    expect(parsed.people.map((p) => p.name)).toEqual(names);
    expect(parsed.people[0]!.name.codePointAt(0)).toBe(0xfa19);
    expect(parsed.households.map((h) => h.address)).toEqual(names);
  });

  it('writes Shift_JIS only when every character survives it, and says which cells do not', () => {
    const ok = writeRosterCsv([person('髙橋 ①', '1'), person('\uFA19田', '2'), person('=1+2', '3')], 'shift_jis');
    if (!ok.ok) throw new Error(JSON.stringify(ok.unencodable));
    const back = parseRosterCsv(ok.csv);
    expect(back.encoding).toBe('shift_jis');
    expect(back.people.map((p) => p.name)).toEqual(['髙橋 ①', '\uFA19田', '=1+2']);

    const refused = writeRosterCsv([person('山田', '1'), person('𠮷野', '2', { householdName: '吉野家', address: '京田辺市', responderNotes: '' }), person('波〜', '3')], 'shift_jis');
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.unencodable).toEqual([
      { row: 3, householdNumber: '2', name: '𠮷野', column: '氏名', characters: ['𠮷'] },
      { row: 3, householdNumber: '2', name: '𠮷野', column: 'ふりがな', characters: ['𠮷'] },
      ...['世帯名', '住所', '対応メモ', '氏名', 'ふりがな'].map((column) => ({ row: 4, householdNumber: '3', name: '波〜', column, characters: ['〜'] })),
    ].sort((a, b) => a.row - b.row || header.split(',').indexOf(a.column) - header.split(',').indexOf(b.column)));
  });

  it('points an error at the line where its record starts, after multi-line cells (CRLF and LF)', () => {
    for (const eol of ['\r\n', '\n']) {
      const csv = [
        header,
        `1班,1,山田家,"京田辺市${eol}1-2-3",,"一人暮らし${eol}耳が遠い${eol}犬がいる",山田 花子,,,,,`, // lines 2-5
        `1班,2,,京田辺市,,,森 清,,,,,`, // line 6: no 世帯名
        `1班,3,森家,京田辺市,,,森 和子,,12345,,,`, // line 7: bad phone
      ].join(eol);
      const parsed = parseRosterCsv(Buffer.from(csv));
      expect(parsed.errors.map((e) => [e.line, e.column])).toEqual([[6, '世帯名'], [7, '電話']]);
      expect(parsed.households[0]!.responderNotes).toBe(`一人暮らし${eol}耳が遠い${eol}犬がいる`);
    }
  });

  it('points a broken record (an unclosed quote) at the line where it starts', () => {
    const csv = [header, '1班,1,山田家,京田辺市,,,山田 花子,,,,,', '1班,2,森家,"京田辺市', '2-3,,,森 清,,,,,'].join('\r\n');
    const parsed = parseRosterCsv(Buffer.from(csv));
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]!.line).toBe(3);
  });

  it('ignores rows that are empty or only commas, as Excel writes them', () => {
    const csv = [header, '1班,1,山田家,京田辺市,,,山田 花子,,,,,', ',,,,,,,,,,,', '', ',,,', '1班,2,森家,京田辺市,,,森 清,,,,,', ',,,,,,,,,,,', ''].join('\r\n');
    const parsed = parseRosterCsv(Buffer.from(csv));
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toBe(2);
    expect(parsed.people.map((p) => [p.line, p.name])).toEqual([[2, '山田 花子'], [6, '森 清']]);
  });

  it("reads Excel's Unicode text: UTF-16 LE with a BOM, tab-separated, quoted cells with line breaks", () => {
    const text = [header.replaceAll(',', '\t'), '1班\t1\t山田家\t京田辺市\t\t"一人暮らし\r\n耳が遠い"\t\uFA19田 𠮷子\t\t\t\t\t', '\t\t\t\t\t\t\t\t\t\t\t', '1班\t2\t森家\t京田辺市\t\t\t=1+2\t\t\t\t\t'].join('\r\n') + '\r\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const parsed = parseRosterCsv(bytes);
    expect(parsed).toMatchObject({ encoding: 'utf-16le', rows: 2, errors: [] });
    expect(parsed.people.map((p) => [p.line, p.name])).toEqual([[2, '\uFA19田 𠮷子'], [5, '=1+2']]);
    expect(parsed.households[0]!.responderNotes).toBe('一人暮らし\r\n耳が遠い');
    // Without its BOM (some tools drop it) the NUL bytes still tell UTF-16.
    expect(parseRosterCsv(Buffer.from(text, 'utf16le'))).toMatchObject({ encoding: 'utf-16le', rows: 2, errors: [] });
    const be = Buffer.from(`\ufeff${text}`, 'utf16le').swap16();
    expect(parseRosterCsv(be)).toMatchObject({ encoding: 'utf-16be', rows: 2, errors: [] });
    expect(parseRosterCsv(be).people[0]!.name).toBe('\uFA19田 𠮷子');
  });

  it('refuses bytes that are neither UTF-8 nor Shift_JIS instead of storing U+FFFD', () => {
    const bytes = Buffer.concat([iconv.encode(`${header}\r\n1班,1,山田家,京田辺市,,,山田 `, 'cp932'), Buffer.from([0x85, 0x20]), Buffer.from(',,,,,,\r\n')]);
    const parsed = parseRosterCsv(bytes);
    expect(parsed.encoding).toBe('shift_jis');
    expect(parsed.errors.map((e) => [e.line, e.column])).toEqual([[2, '氏名']]);
  });
});

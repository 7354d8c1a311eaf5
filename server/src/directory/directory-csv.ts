import iconv from 'iconv-lite';
import { AGE_GROUPS, serviceBodySchema, serviceLanguageSchema, WORRIES, type Worry } from '../contracts/directory.js';
import { readCsvRecords, type CsvEncoding } from '../platform/http/csv-read.js';
import { restoreCell, stringifyCsv, utf8WithBom } from '../platform/http/csv.js';

/**
 * The directory's CSV (お悩みハンドブック): one row per service, Japanese headers, the same
 * columns for import and export (docs/architecture.md, "The directory's CSV"; an example in
 * test/fixtures/directory/). Headers match however their width was typed, in any order;
 * columns this format does not know are left alone. Worries, age groups and languages are
 * their codes or their Japanese labels, separated by ・ or ; (a label may itself hold a ・:
 * 孤独・孤立). Cells are kept as written, less the ' an export put before a formula-like cell.
 */

export type DirectoryField =
  | 'externalId' | 'organisation' | 'name' | 'description' | 'worries' | 'ageGroups' | 'languages' | 'address' | 'lat' | 'lon'
  | 'phone' | 'hours' | 'walkIn' | 'web' | 'cost' | 'areas' | 'lastConfirmedOn';

/** Each column: the header an export writes first, then the others an import also reads. */
export const directoryColumns: Record<DirectoryField, string[]> = {
  externalId: ['外部ID', 'ID'],
  organisation: ['団体名', '団体'],
  name: ['サービス名', '相談先名', '名称'],
  description: ['説明', '内容'],
  worries: ['悩み', '相談できること'],
  ageGroups: ['対象', '対象年齢'],
  languages: ['言語'],
  address: ['住所', '場所'],
  lat: ['緯度'],
  lon: ['経度'],
  phone: ['電話番号', '電話'],
  hours: ['受付時間'],
  walkIn: ['予約なし来所', '予約なしで来所可'],
  web: ['ウェブ', 'ホームページ', 'URL'],
  cost: ['費用'],
  areas: ['対象地域'],
  lastConfirmedOn: ['最終確認日', '確認日'],
};
const fields = Object.keys(directoryColumns) as DirectoryField[];
const REQUIRED: DirectoryField[] = ['organisation', 'name', 'worries'];

/** The labels written on export (the web app's ja labels) first, then other words read as the same code. */
export const worryLabels: Record<Worry, string[]> = {
  care: ['介護'], loneliness: ['孤独・孤立', '孤独', '孤立'], child_rearing: ['子育て'], money: ['お金'], health: ['健康'],
  housing: ['住まい'], violence: ['家庭内の暴力', '暴力', 'DV'], work: ['仕事'], disability: ['障害'], food: ['食べもの', '食べ物'],
  general: ['なんでも相談'],
};
const ageLabels: Record<(typeof AGE_GROUPS)[number], string[]> = {
  children: ['子ども', '子供'], youth: ['若者'], adults: ['大人', '成人'], seniors: ['高齢者'], all: ['だれでも', '誰でも'],
};
type Language = (typeof serviceLanguageSchema.options)[number];
const languageLabels: Record<Language, string[]> = {
  ja: ['日本語'], en: ['英語'], zh: ['中国語'], ko: ['韓国語'], vi: ['ベトナム語'], pt: ['ポルトガル語'], 'easy-ja': ['やさしい日本語'],
};

export interface DirectoryCsvRow {
  line: number;
  /** Blank: matched by organisation and service name among the association's own entries. */
  externalId: string | null;
  organisation: string;
  name: string;
  description: string;
  worries: Worry[];
  ageGroups: string[];
  languages: string[];
  address: string;
  lat: number | null;
  lon: number | null;
  phone: string;
  hours: string;
  walkIn: boolean;
  web: string;
  cost: string;
  /** Area codes or names as written (the service checks them against what the editor may serve). */
  areas: string[];
  /** YYYY-MM-DD; null when blank (today for a new entry, unchanged for one saved). */
  lastConfirmedOn: string | null;
}

export interface DirectoryCsvIssue {
  line: number;
  column?: string;
  message: string;
}

export interface ParsedDirectoryCsv {
  encoding: CsvEncoding;
  /** Data rows in the file, good and bad. */
  records: number;
  rows: DirectoryCsvRow[];
  errors: DirectoryCsvIssue[];
}

const keyword = (value: string) => value.normalize('NFKC').trim().toLowerCase();
const asWritten = (value: string) => restoreCell(value.trim());

/** Code or label → code, for one vocabulary. */
function vocabulary<C extends string>(labels: Record<C, string[]>): Map<string, C> {
  const words = new Map<string, C>();
  for (const [code, list] of Object.entries(labels) as [C, string[]][]) for (const word of [code, ...list]) words.set(keyword(word), code);
  return words;
}
const worryWords = vocabulary(worryLabels);
const ageWords = vocabulary(ageLabels);
const languageWords = vocabulary(languageLabels);

/**
 * A cell of several words: split at ; 、 , / and ・, each piece then read as the longest run of
 * ・-joined parts that is a known word (so 孤独・孤立・介護 is loneliness and care). The codes,
 * in the order written, once each; or the first part that is no known word.
 */
export function splitWords<C extends string>(cell: string, words: Map<string, C>): { codes: C[]; unknown?: string } {
  const codes: C[] = [];
  for (const piece of keyword(cell).split(/[;；、,，/／\n]+/u)) {
    const parts = piece.split(/[・･]/u).map((p) => p.trim()).filter(Boolean);
    for (let i = 0; i < parts.length;) {
      let j = parts.length;
      while (j > i && !words.has(parts.slice(i, j).join('・'))) j--;
      if (j === i) return { codes, unknown: parts[i] };
      const code = words.get(parts.slice(i, j).join('・'))!;
      if (!codes.includes(code)) codes.push(code);
      i = j;
    }
  }
  return { codes };
}

/** 2026-12-01, 2026/12/1 (as Excel rewrites it), 2026.12.1 or 2026年12月1日 → 2026-12-01; null if none of these or no such day. */
export function readDate(value: string): string | null {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/u.exec(value.normalize('NFKC').trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const YES = new Set(['可', '○', '〇', '◯', 'はい', 'yes', 'true', '1', 'あり', '有']);
const NO = new Set(['', '不可', '×', '✕', 'いいえ', 'no', 'false', '0', 'なし', '無', '-']);

const limits: Partial<Record<DirectoryField, number>> = {
  externalId: 100, organisation: 200, name: 200, description: 2000, address: 300, hours: 300, cost: 200,
};

/**
 * Reads a directory CSV (UTF-8 with or without BOM, Shift_JIS, UTF-16). Every row is checked;
 * a row with an error is not in `rows`. `today` (YYYY-MM-DD, the association's) bounds 最終確認日.
 */
export function parseDirectoryCsv(bytes: Buffer, today: string): ParsedDirectoryCsv {
  const read = readCsvRecords(bytes);
  const { encoding, records } = read;
  if (read.error) return { encoding, records: 0, rows: [], errors: [read.error] };
  const header = records.shift();
  if (!header) return { encoding, records: 0, rows: [], errors: [{ line: 1, message: 'The file is empty.' }] };

  const names = header.cells.map(keyword);
  const index = new Map<DirectoryField, number>();
  for (const field of fields) {
    const at = directoryColumns[field].map((h) => names.indexOf(keyword(h))).find((i) => i >= 0);
    if (at !== undefined) index.set(field, at);
  }
  const errors: DirectoryCsvIssue[] = REQUIRED.filter((f) => !index.has(f)).map((f) => ({
    line: header.line, column: directoryColumns[f][0], message: `The header row has no ${directoryColumns[f][0]} column (the columns: ${fields.map((c) => directoryColumns[c][0]).join(', ')}).`,
  }));
  if (errors.length) return { encoding, records: records.length, rows: [], errors };

  const rows: DirectoryCsvRow[] = [];
  const seen = new Map<string, number>();
  for (const { line, cells } of records) {
    const cell = (field: DirectoryField) => asWritten(index.has(field) ? (cells[index.get(field)!] ?? '') : '');
    const column = (field: DirectoryField) => header.cells[index.get(field) ?? -1]?.trim() || directoryColumns[field][0];
    const before = errors.length;
    const fail = (field: DirectoryField, message: string) => errors.push({ line, column: column(field), message });
    for (const [field, at] of index) {
      const value = cells[at] ?? '';
      if (value.includes('\u0000')) fail(field, 'must not contain a NUL character');
      else if (encoding === 'shift_jis' && value.includes('\ufffd')) fail(field, 'has bytes that are neither UTF-8 nor Shift_JIS: save the file as "CSV UTF-8" and try again.');
      else if (limits[field] && asWritten(value).length > limits[field]) fail(field, `at most ${limits[field]} characters`);
    }
    const organisation = cell('organisation');
    if (!organisation) fail('organisation', 'An entry needs the name of its organisation.');
    const name = cell('name');
    if (!name) fail('name', 'An entry needs the name of its service.');

    const words = <C extends string>(field: DirectoryField, vocab: Map<string, C>, what: string, allowed: readonly string[]) => {
      const { codes, unknown } = splitWords(cell(field), vocab);
      if (unknown !== undefined) fail(field, `"${unknown}" is not ${what}: use ${allowed.join(', ')} (or their Japanese labels), separated by ・ or ;.`);
      return codes;
    };
    const worries = words('worries', worryWords, 'a worry', WORRIES);
    if (errors.length === before && worries.length === 0) fail('worries', `An entry helps with at least one worry (${WORRIES.join(', ')}).`);
    const ageGroups = words('ageGroups', ageWords, 'an age group', AGE_GROUPS);
    const languages = words('languages', languageWords, 'a language', serviceLanguageSchema.options);

    const coordinate = (field: 'lat' | 'lon', limit: number) => {
      const text = keyword(cell(field));
      if (!text) return null;
      const value = /^[+-]?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
      if (Number.isNaN(value)) fail(field, `"${cell(field)}" is not a number (decimal degrees, like 34.81).`);
      else if (Math.abs(value) > limit) fail(field, `${value} is out of range (−${limit} to ${limit}).`);
      return value;
    };
    const lat = coordinate('lat', 90);
    const lon = coordinate('lon', 180);
    if ((lat === null) !== (lon === null)) fail(lat === null ? 'lat' : 'lon', 'Give both 緯度 and 経度, or neither.');

    const phone = cell('phone');
    const phoneCheck = serviceBodySchema.shape.phone.safeParse(phone);
    if (!phoneCheck.success) fail('phone', `"${phone}" ${phoneCheck.error.issues[0]?.message ?? 'is not a phone number'}`);
    const web = cell('web');
    const webCheck = serviceBodySchema.shape.web.safeParse(web);
    if (!webCheck.success) fail('web', `"${web.slice(0, 80)}" ${webCheck.error.issues[0]?.message ?? 'is not a web address'}`);

    const walkInText = keyword(cell('walkIn'));
    const walkIn = YES.has(walkInText);
    if (!walkIn && !NO.has(walkInText)) fail('walkIn', `"${cell('walkIn')}" is neither 可 nor blank (or 不可).`);

    let lastConfirmedOn: string | null = null;
    if (cell('lastConfirmedOn')) {
      lastConfirmedOn = readDate(cell('lastConfirmedOn'));
      if (!lastConfirmedOn) fail('lastConfirmedOn', `"${cell('lastConfirmedOn')}" is not a date (like 2026-12-01 or 2026/12/1).`);
      else if (lastConfirmedOn > today) fail('lastConfirmedOn', `${lastConfirmedOn} is in the future (today is ${today}).`);
    }

    const externalId = cell('externalId') || null;
    const key = externalId ? `id:${externalId}` : `name:${keyword(organisation)}|${keyword(name)}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      if (externalId) fail('externalId', `${externalId} appears twice (also on line ${earlier}).`);
      else fail('name', `${organisation} ${name} appears twice without an ${directoryColumns.externalId[0]} (also on line ${earlier}).`);
    }
    seen.set(key, line);
    if (errors.length > before) continue;
    rows.push({
      line, externalId, organisation, name, description: cell('description'), worries, ageGroups, languages: languages.length ? languages : ['ja'],
      address: cell('address'), lat, lon, phone, hours: cell('hours'), walkIn, web, cost: cell('cost'),
      areas: cell('areas').split(/[;；、,，/／・\n]+/u).map((a) => a.trim()).filter(Boolean), lastConfirmedOn,
    });
  }
  if (records.length === 0) errors.push({ line: header.line + 1, message: 'The file has a header but no rows.' });
  return { encoding, records: records.length, rows, errors };
}

/** No phone, web or address: imported as a draft, never published. */
export const missesContact = (r: Pick<DirectoryCsvRow, 'phone' | 'web' | 'address'>) => r.phone === '' && r.web === '' && r.address === '';

export type DirectoryExportRow = Omit<DirectoryCsvRow, 'line' | 'externalId' | 'lastConfirmedOn'> & { externalId: string; lastConfirmedOn: string };

/** A cell Shift_JIS cannot hold: its row as Excel numbers it (1 is the header), the column, the entry and the characters. */
export interface UnencodableCell {
  row: number;
  column: string;
  name: string;
  characters: string[];
}

export type DirectoryCsv = { ok: true; csv: Buffer } | { ok: false; unencodable: UnencodableCell[] };

const label = <C extends string>(labels: Record<C, string[]>, codes: readonly string[]) => codes.map((c) => labels[c as C]?.[0] ?? c).join('・');

/**
 * The export: the columns the import reads, labels in Japanese, so it imports back unchanged.
 * UTF-8 has a BOM (Excel on Windows); Shift_JIS is written only when every character survives
 * it (iconv would write a silent ?), else the cells it cannot hold.
 */
export function writeDirectoryCsv(rows: DirectoryExportRow[], encoding: 'utf-8' | 'shift_jis'): DirectoryCsv {
  const headers = fields.map((f) => directoryColumns[f][0]!);
  const body = rows.map((r) => fields.map((f): string => {
    switch (f) {
      case 'worries': return label(worryLabels, r.worries);
      case 'ageGroups': return label(ageLabels, r.ageGroups);
      case 'languages': return label(languageLabels, r.languages);
      case 'lat': case 'lon': return r[f] === null ? '' : String(r[f]);
      case 'walkIn': return r.walkIn ? '可' : '';
      case 'areas': return r.areas.join('・');
      default: return r[f];
    }
  }));
  const text = stringifyCsv([headers, ...body]);
  if (encoding === 'utf-8') return { ok: true, csv: utf8WithBom(text) };
  const unencodable: UnencodableCell[] = [];
  body.forEach((cells, row) => cells.forEach((value, i) => {
    if (iconv.decode(iconv.encode(value, 'cp932'), 'cp932') === value) return;
    const characters = [...new Set([...value].filter((c) => iconv.decode(iconv.encode(c, 'cp932'), 'cp932') !== c))];
    unencodable.push({ row: row + 2, column: headers[i]!, name: rows[row]!.name, characters });
  }));
  return unencodable.length ? { ok: false, unencodable } : { ok: true, csv: iconv.encode(text, 'cp932') };
}

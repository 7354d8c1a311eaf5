import iconv from 'iconv-lite';
import { emailSchema, phoneSchema } from '../contracts/common.js';
import { restoreCell, stringifyCsv, utf8WithBom } from '../platform/http/csv.js';
import { readCsvRecords, type CsvEncoding } from '../platform/http/csv-read.js';
import type { AssignedRole, Channel, Language } from './roster.tables.js';

/**
 * The roster CSV as officers keep it in Excel: one row per person, the household's columns
 * repeated (or left blank) on each of its members' rows. A row with a blank 世帯番号 is a
 * person outside any household (a volunteer, a welfare commissioner).
 */
export const columns = {
  block: { header: '班', aliases: ['block'] },
  householdNumber: { header: '世帯番号', aliases: ['household_number', 'household number'] },
  householdName: { header: '世帯名', aliases: ['household_name', 'household'] },
  address: { header: '住所', aliases: ['address'] },
  channels: { header: '連絡手段', aliases: ['channels'] },
  responderNotes: { header: '対応メモ', aliases: ['notes', 'responder_notes'] },
  name: { header: '氏名', aliases: ['name', '名前'] },
  kana: { header: 'ふりがな', aliases: ['kana', 'フリガナ'] },
  phone: { header: '電話', aliases: ['phone', '電話番号'] },
  email: { header: 'メール', aliases: ['email', 'メールアドレス'] },
  language: { header: '言語', aliases: ['language'] },
  roles: { header: '役割', aliases: ['roles', '役職'] },
} as const;
type ColumnKey = keyof typeof columns;

const channelWords: Record<string, Channel> = { app: 'app', アプリ: 'app', speaker: 'speaker', スピーカー: 'speaker', paper: 'paper', 紙: 'paper' };
const channelLabels: Record<Channel, string> = { app: 'アプリ', speaker: 'スピーカー', paper: '紙' };
const languageWords: Record<string, Language> = {
  ja: 'ja', 日本語: 'ja', en: 'en', english: 'en', 英語: 'en', 'ja-easy': 'ja-easy', やさしい日本語: 'ja-easy',
};
const roleWords: Record<string, Exclude<AssignedRole, 'family_watcher'>> = {
  役員: 'officer', officer: 'officer', 班長: 'captain', captain: 'captain',
  見守りボランティア: 'volunteer', ボランティア: 'volunteer', volunteer: 'volunteer',
  民生委員: 'welfare_commissioner', welfare_commissioner: 'welfare_commissioner',
};
const roleLabels: Record<string, string> = { officer: '役員', captain: '班長', volunteer: '見守りボランティア', welfare_commissioner: '民生委員' };

export interface RosterError {
  line: number;
  column?: string;
  message: string;
}

export interface RosterHousehold {
  line: number;
  householdNumber: string;
  name: string;
  address: string;
  block: string;
  channels: Channel[];
  responderNotes: string;
}

export interface RosterPerson {
  line: number;
  householdNumber: string | null;
  block: string | null;
  name: string;
  kana: string;
  phone: string | null;
  email: string | null;
  language: Language;
  roles: Exclude<AssignedRole, 'family_watcher'>[];
}

export type RosterEncoding = CsvEncoding;

export interface ParsedRoster {
  encoding: RosterEncoding;
  rows: number;
  households: RosterHousehold[];
  people: RosterPerson[];
  errors: RosterError[];
}


/**
 * Names, addresses and notes are stored exactly as written: no Unicode normalisation (NFC would
 * turn the compatibility ideograph 神 U+FA19 into 神 U+795E, and NFKC ① into 1). Only the
 * surrounding whitespace Excel leaves is trimmed, as the forms do; then the apostrophe the
 * export put before a formula-like cell is removed (restoreCell), so export → import is exact.
 */
const asWritten = (value: string) => restoreCell(value.trim());
/** Keywords (headers, channels, roles, languages) match however they were typed: full-width, half-width. */
const keyword = (value: string) => value.normalize('NFKC').trim().toLowerCase();
const splitWords = (value: string) => keyword(value).split(/[,、;・/\s]+/).filter(Boolean);

export function parseRosterCsv(bytes: Buffer): ParsedRoster {
  const read = readCsvRecords(bytes);
  const { encoding, records } = read;
  const errors: RosterError[] = [];
  if (read.error) return { encoding, rows: 0, households: [], people: [], errors: [read.error] };
  const header = records.shift();
  if (!header) return { encoding, rows: 0, households: [], people: [], errors: [{ line: 1, message: 'The file is empty.' }] };

  const index = new Map<ColumnKey, number>();
  header.cells.forEach((cell, i) => {
    const name = keyword(cell);
    for (const [key, column] of Object.entries(columns) as [ColumnKey, (typeof columns)[ColumnKey]][]) {
      if (name === column.header || (column.aliases as readonly string[]).includes(name)) index.set(key, i);
    }
  });
  for (const required of ['householdNumber', 'name'] as const) {
    if (!index.has(required)) errors.push({ line: header.line, column: columns[required].header, message: `The header row has no ${columns[required].header} column.` });
  }
  if (errors.length) return { encoding, rows: records.length, households: [], people: [], errors };

  const households = new Map<string, RosterHousehold>();
  const people: RosterPerson[] = [];
  const seenPeople = new Map<string, number>();

  for (const { line, cells } of records) {
    const cell = (key: ColumnKey) => asWritten(index.has(key) ? (cells[index.get(key)!] ?? '') : '');
    const fail = (key: ColumnKey, message: string) => errors.push({ line, column: columns[key].header, message });
    if (encoding === 'shift_jis') {
      // Bytes that are neither UTF-8 nor Shift_JIS decode to U+FFFD: refuse rather than store it.
      for (const [key, i] of index) {
        if (cells[i]?.includes('\ufffd')) fail(key, 'has bytes that are neither UTF-8 nor Shift_JIS: save the file as "CSV UTF-8" and try again.');
      }
    }
    // The input boundary for a file: PostgreSQL text cannot hold NUL, so say where it is.
    for (const [key, at] of index) {
      if ((cells[at] ?? '').includes('\u0000')) fail(key, 'must not contain a NUL character');
    }
    const householdNumber = cell('householdNumber') || null;
    const block = cell('block') || null;

    if (householdNumber) {
      const known = households.get(householdNumber);
      const fields = { name: cell('householdName'), address: cell('address'), block: cell('block'), notes: cell('responderNotes'), channels: cell('channels') };
      if (!known) {
        if (!fields.block) fail('block', 'A household needs its 班.');
        if (!fields.name) fail('householdName', 'A household needs a name (世帯名).');
        if (!fields.address) fail('address', 'A household needs an address (住所).');
        const channels = parseChannels(fields.channels, (m) => fail('channels', m));
        if (fields.name.length > 100) fail('householdName', 'at most 100 characters');
        if (fields.address.length > 300) fail('address', 'at most 300 characters');
        if (householdNumber.length > 50) fail('householdNumber', 'at most 50 characters');
        households.set(householdNumber, {
          line, householdNumber, name: fields.name, address: fields.address, block: fields.block, channels, responderNotes: fields.notes,
        });
      } else {
        // Later rows of a household may repeat its columns or leave them blank, not contradict them.
        const compare: [ColumnKey, string, string][] = [
          ['householdName', fields.name, known.name], ['address', fields.address, known.address], ['block', fields.block, known.block],
        ];
        for (const [key, given, first] of compare) {
          if (given && given !== first) fail(key, `differs from line ${known.line} of the same household (${first}).`);
        }
      }
    }

    const name = cell('name');
    if (!name) {
      if (!householdNumber) fail('name', 'A row needs a 世帯番号, a 氏名, or both.');
      continue;
    }
    if (name.length > 100) fail('name', 'at most 100 characters');
    const phone = cell('phone') ? phoneSchema.safeParse(cell('phone')) : null;
    if (phone && !phone.success) fail('phone', phone.error.issues[0]!.message);
    const email = cell('email') ? emailSchema.safeParse(cell('email')) : null;
    if (email && !email.success) fail('email', email.error.issues[0]!.message);
    const languageWord = keyword(cell('language'));
    const language = languageWord ? languageWords[languageWord] : 'ja';
    if (!language) fail('language', `"${cell('language')}" is not a language: use 日本語, やさしい日本語 or English.`);
    const roles = [] as RosterPerson['roles'];
    for (const word of splitWords(cell('roles'))) {
      const role = roleWords[word];
      if (!role) fail('roles', `"${word}" is not a role: use 役員, 班長, 見守りボランティア or 民生委員.`);
      else if (!roles.includes(role)) roles.push(role);
    }
    const personBlock = householdNumber ? (households.get(householdNumber)?.block ?? block) : block;
    if (roles.includes('captain') && !personBlock) fail('roles', 'A 班長 needs the 班 they lead in the 班 column.');

    const key = `${householdNumber ?? ''}|${name}|${householdNumber ? '' : (phone?.data ?? email?.data ?? '')}`;
    if (seenPeople.has(key)) fail('name', `${name} appears twice (also on line ${seenPeople.get(key)}).`);
    seenPeople.set(key, line);
    people.push({
      line, householdNumber, block: personBlock || null, name, kana: cell('kana'),
      phone: phone?.success ? phone.data : null, email: email?.success ? email.data : null, language: language ?? 'ja', roles,
    });
  }
  if (records.length === 0) errors.push({ line: header.line + 1, message: 'The file has a header but no rows.' });
  return { encoding, rows: records.length, households: [...households.values()], people, errors };
}

function parseChannels(value: string, fail: (message: string) => void): Channel[] {
  if (!value) return ['app'];
  const channels: Channel[] = [];
  for (const word of splitWords(value)) {
    const channel = channelWords[word];
    if (!channel) fail(`"${word}" is not a channel: use アプリ, スピーカー or 紙.`);
    else if (!channels.includes(channel)) channels.push(channel);
  }
  return channels.length ? channels : ['app'];
}

export interface ExportRow {
  block: string | null;
  householdNumber: string | null;
  householdName: string | null;
  address: string | null;
  channels: Channel[] | null;
  responderNotes: string | null;
  name: string | null;
  kana: string | null;
  phone: string | null;
  email: string | null;
  language: Language | null;
  roles: string[];
}

const languageLabels: Record<Language, string> = { ja: '日本語', 'ja-easy': 'やさしい日本語', en: 'English' };

/** A cell Shift_JIS cannot hold: its row as Excel numbers it (1 is the header), whose it is, column and characters. */
export interface UnencodableCell {
  row: number;
  householdNumber: string;
  name: string;
  column: string;
  characters: string[];
}

export type RosterCsv = { ok: true; csv: Buffer } | { ok: false; unencodable: UnencodableCell[] };

/** Whether CP932 writes and reads back this exact character (〜 U+301C and 𠮷 do not; 髙 and ① do). */
const cp932Cache = new Map<string, boolean>();
function cp932Holds(char: string): boolean {
  let holds = cp932Cache.get(char);
  if (holds === undefined) {
    holds = iconv.decode(iconv.encode(char, 'cp932'), 'cp932') === char;
    cp932Cache.set(char, holds);
  }
  return holds;
}

/**
 * The same columns the import reads, so an export edited in Excel imports back. UTF-8 has a BOM
 * and CRLF, what Excel on Windows expects. Shift_JIS is written only when every character
 * survives it: iconv would write a silent ? for the others, and importing that file back would
 * change the names. Otherwise the caller gets the cells that cannot be written, to say so.
 */
export function writeRosterCsv(rows: ExportRow[], encoding: 'utf-8' | 'shift_jis'): RosterCsv {
  const headers = Object.values(columns).map((c) => c.header);
  const body = rows.map((r) => [
    r.block ?? '', r.householdNumber ?? '', r.householdName ?? '', r.address ?? '',
    (r.channels ?? []).map((c) => channelLabels[c]).join('・'), r.responderNotes ?? '',
    r.name ?? '', r.kana ?? '', r.phone ?? '', r.email ?? '', r.language ? languageLabels[r.language] : '',
    r.roles.filter((role) => roleLabels[role]).map((role) => roleLabels[role]).join('・'),
  ]);
  const text = stringifyCsv([headers, ...body]);
  if (encoding === 'utf-8') return { ok: true, csv: utf8WithBom(text) };
  const unencodable: UnencodableCell[] = [];
  body.forEach((cells, row) => {
    cells.forEach((value, i) => {
      const characters = [...new Set([...value].filter((char) => !cp932Holds(char)))];
      if (characters.length) unencodable.push({ row: row + 2, householdNumber: cells[1]!, name: cells[6]!, column: headers[i]!, characters });
    });
  });
  return unencodable.length ? { ok: false, unencodable } : { ok: true, csv: iconv.encode(text, 'cp932') };
}

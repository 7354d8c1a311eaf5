import { readCsvRecords, type CsvEncoding } from '../platform/http/csv-read.js';
import { restoreCell } from '../platform/http/csv.js';
import { hazardKinds, type Hazard } from './shelter.tables.js';

/**
 * The two CSV lists of designated evacuation sites, told apart by their header rows:
 *
 * - the GSI's 指定緊急避難場所データ (国土地理院; per municipality or prefecture): NO, 共通ID,
 *   施設・場所名, 住所, the eight hazards (1 or blank), 指定避難所との住所同一, 緯度, 経度, 備考;
 * - a municipality's 自治体標準オープンデータセット 指定緊急避難場所一覧 (or 指定避難所一覧): ID, 名称,
 *   名称_カナ, 住所 or 所在地_連結表記, 緯度, 経度, 災害種別_洪水 … 災害種別_火山現象,
 *   指定避難所との重複, 想定収容人数, 対象となる町会・自治会, and more this import does not keep.
 *
 * Headers match however they were typed (full-width or half-width); cells are kept as written.
 */

export type ShelterFormat = 'gsi' | 'municipal';

export interface ShelterRow {
  line: number;
  sourceId: string;
  name: string;
  kana: string;
  address: string;
  latitude: number;
  longitude: number;
  capacity: number | null;
  hazards: Hazard[];
  alsoEvacuationCentre: boolean | null;
  serves: string;
}

export interface ShelterCsvError {
  line: number;
  column?: string;
  message: string;
}

export interface ParsedShelters {
  encoding: CsvEncoding;
  format: ShelterFormat | null;
  /** How many data rows the file has (good and bad). */
  records: number;
  rows: ShelterRow[];
  /** Whether the file says which associations each site serves (a 対象となる町会・自治会 column with something in it). */
  saysWhomItServes: boolean;
  errors: ShelterCsvError[];
}

/** The hazard columns, by the words both lists use (the municipal list prefixes 災害種別_). */
const hazardHeaders: Record<Hazard, string> = {
  flood: '洪水', landslide: '崖崩れ、土石流及び地滑り', storm_surge: '高潮', earthquake: '地震',
  tsunami: '津波', fire: '大規模な火事', inland_flood: '内水氾濫', volcano: '火山現象',
};

type Field = 'sourceId' | 'localCode' | 'name' | 'kana' | 'address' | 'latitude' | 'longitude' | 'capacity' | 'alsoCentre' | 'serves';
const headers: Record<ShelterFormat, Partial<Record<Field, string[]>>> = {
  gsi: {
    sourceId: ['共通ID'], name: ['施設・場所名'], address: ['住所'], latitude: ['緯度'], longitude: ['経度'],
    alsoCentre: ['指定避難所との住所同一'],
  },
  municipal: {
    sourceId: ['ID'], localCode: ['全国地方公共団体コード'], name: ['名称'], kana: ['名称_カナ'], address: ['住所', '所在地_連結表記'],
    latitude: ['緯度'], longitude: ['経度'], capacity: ['想定収容人数'], alsoCentre: ['指定避難所との重複', '指定緊急避難場所との重複'],
    serves: ['対象となる町会・自治会'],
  },
};

const keyword = (value: string) => value.normalize('NFKC').trim().toLowerCase();
const asWritten = (value: string) => restoreCell(value.trim());
/** A flag cell: 1 (or ○, true, yes) is set, blank or 0 is not. */
const flag = (value: string) => {
  const v = keyword(value);
  return v !== '' && v !== '0' && v !== '-' && v !== '×' && v !== 'false';
};

export function parseShelterCsv(bytes: Buffer): ParsedShelters {
  const read = readCsvRecords(bytes);
  const { encoding, records } = read;
  const none = { encoding, format: null, records: 0, rows: [], saysWhomItServes: false };
  if (read.error) return { ...none, errors: [read.error] };
  const header = records.shift();
  if (!header) return { ...none, errors: [{ line: 1, message: 'The file is empty.' }] };

  const names = header.cells.map(keyword);
  const has = (name: string) => names.includes(keyword(name));
  const format: ShelterFormat | null = has('共通ID') && has('施設・場所名') ? 'gsi' : has('名称') && has('緯度') ? 'municipal' : null;
  if (!format) {
    return {
      ...none,
      errors: [{ line: header.line, message: 'The header row is neither the GSI 指定緊急避難場所データ (共通ID, 施設・場所名, 住所, 緯度, 経度 …) nor a municipal 指定緊急避難場所一覧 (ID, 名称, 住所, 緯度, 経度 …).' }],
    };
  }
  const index = new Map<Field, number>();
  for (const [field, options] of Object.entries(headers[format]) as [Field, string[]][]) {
    const at = options.map((o) => names.indexOf(keyword(o))).find((i) => i >= 0);
    if (at !== undefined) index.set(field, at);
  }
  const hazardIndex = new Map<Hazard, number>();
  for (const hazard of hazardKinds) {
    const word = keyword(hazardHeaders[hazard]);
    const at = names.findIndex((n) => n === word || n === keyword(`災害種別_${hazardHeaders[hazard]}`));
    if (at >= 0) hazardIndex.set(hazard, at);
  }
  const errors: ShelterCsvError[] = [];
  for (const required of ['name', 'latitude', 'longitude'] as const) {
    if (!index.has(required)) errors.push({ line: header.line, column: headers[format][required]![0], message: `The header row has no ${headers[format][required]![0]} column.` });
  }
  if (errors.length) return { encoding, format, records: records.length, rows: [], saysWhomItServes: false, errors };

  const rows: ShelterRow[] = [];
  const seen = new Map<string, number>();
  for (const { line, cells } of records) {
    const cell = (field: Field) => asWritten(index.has(field) ? (cells[index.get(field)!] ?? '') : '');
    const column = (field: Field) => header.cells[index.get(field)!]?.trim() ?? headers[format][field]?.[0];
    const fail = (field: Field, message: string) => errors.push({ line, column: column(field), message });
    const before = errors.length;
    for (const [field, at] of index) {
      const value = cells[at] ?? '';
      if (value.includes('\u0000')) fail(field, 'must not contain a NUL character');
      else if (encoding === 'shift_jis' && value.includes('\ufffd')) fail(field, 'has bytes that are neither UTF-8 nor Shift_JIS: save the file as "CSV UTF-8" and try again.');
    }
    const name = cell('name');
    if (!name) fail('name', 'A shelter needs its name.');
    else if (name.length > 200) fail('name', 'at most 200 characters');
    const address = cell('address');
    if (address.length > 300) fail('address', 'at most 300 characters');
    const coordinate = (field: 'latitude' | 'longitude', limit: number) => {
      const text = keyword(cell(field));
      const value = /^[+-]?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
      if (!text) fail(field, `A shelter needs its ${column(field)}.`);
      else if (Number.isNaN(value)) fail(field, `"${cell(field)}" is not a number (decimal degrees, like 34.81).`);
      else if (Math.abs(value) > limit) fail(field, `${value} is out of range (−${limit} to ${limit}).`);
      return value;
    };
    const latitude = coordinate('latitude', 90);
    const longitude = coordinate('longitude', 180);
    let capacity: number | null = null;
    const capacityText = keyword(cell('capacity')).replace(/,/g, '').replace(/人$/, '');
    if (capacityText) {
      if (/^\d{1,9}$/.test(capacityText)) capacity = Number(capacityText);
      else fail('capacity', `"${cell('capacity')}" is not a number of people.`);
    }
    const localCode = cell('localCode');
    const sourceId = cell('sourceId') ? (localCode ? `${localCode}-${cell('sourceId')}` : cell('sourceId')) : `${name}|${address}`;
    if (sourceId.length > 300) fail('sourceId', 'at most 300 characters');
    const earlier = seen.get(sourceId);
    if (earlier !== undefined && cell('sourceId')) fail('sourceId', `${cell('sourceId')} appears twice (also on line ${earlier}).`);
    else if (earlier !== undefined) fail('name', `${name} (${address}) appears twice (also on line ${earlier}).`);
    seen.set(sourceId, line);
    if (errors.length > before) continue;
    rows.push({
      line, sourceId, name, kana: cell('kana').slice(0, 200), address, latitude, longitude, capacity,
      hazards: hazardKinds.filter((h) => hazardIndex.has(h) && flag(cells[hazardIndex.get(h)!] ?? '')),
      alsoEvacuationCentre: index.has('alsoCentre') ? flag(cell('alsoCentre')) : null,
      serves: cell('serves').slice(0, 1000),
    });
  }
  if (records.length === 0) errors.push({ line: header.line + 1, message: 'The file has a header but no rows.' });
  return { encoding, format, records: records.length, rows, saysWhomItServes: rows.some((r) => r.serves !== ''), errors };
}

/**
 * Whether a site's 対象となる町会・自治会 names this association (however the width of its
 * characters was typed): the cell lists names separated by 、，,・/; (a name itself may hold a
 * space), and a name must match whole — 東自治会 is not 田辺東自治会.
 */
export function servesAssociation(serves: string, associationName: string): boolean {
  const name = associationName.normalize('NFKC').trim();
  if (!name) return false;
  return serves.normalize('NFKC').split(/[、,，・/／;；\n]+/u).some((named) => named.trim() === name);
}

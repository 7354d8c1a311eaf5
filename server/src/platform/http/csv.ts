import { stringify } from 'csv-stringify/sync';

/**
 * CSV cells that a spreadsheet would run as a formula. OWASP's list (=, +, -, @, tab, carriage
 * return) plus the full-width ＝＋－＠ that Excel in a Japanese locale also evaluates.
 */
const TRIGGER = '[=+\\-@\\t\\r\\uFF1D\\uFF0B\\uFF0D\\uFF20]';
/** A cell the export must escape: a trigger, possibly behind apostrophes the value really starts with. */
const needsEscape = new RegExp(`^'*${TRIGGER}`);
/** A cell the export escaped: at least one apostrophe, then (after any more) a trigger. */
const escaped = new RegExp(`^'+${TRIGGER}`);

/**
 * Neutralises a cell for Excel the way OWASP recommends: a leading ' makes it text. To keep the
 * round trip exact, a value that already starts with apostrophes before a trigger ('=x) gets one
 * more (''=x), so restoreCell can always remove exactly one. A value like '先頭, whose apostrophe
 * is not followed by a trigger, is written as it is and read back as it is.
 */
export function neutraliseCell(value: string): string {
  return needsEscape.test(value) ? `'${value}` : value;
}

/** The inverse of neutraliseCell: drops the one apostrophe the export added, nothing else. */
export function restoreCell(value: string): string {
  return escaped.test(value) ? value.slice(1) : value;
}

export type CsvCell = string | number | null | undefined;

/**
 * Every CSV the server writes goes through here: each cell neutralised, escaped cells quoted
 * (OWASP: prefix and quote), CRLF as Excel on Windows writes and expects.
 */
export function stringifyCsv(rows: CsvCell[][]): string {
  return stringify(
    rows.map((row) => row.map((cell) => neutraliseCell(cell === null || cell === undefined ? '' : String(cell)))),
    { record_delimiter: '\r\n', quoted_match: escaped },
  );
}

/** UTF-8 with a BOM: without it Excel on Windows opens a UTF-8 CSV as Shift_JIS (mojibake). */
export function utf8WithBom(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';

/**
 * Reading a CSV file an officer uploads, whatever Excel (or a municipality's open-data site)
 * wrote: the encoding told from the bytes, the delimiter from the header line, and each record
 * with the line it starts on as a text editor numbers it. Used by the roster and shelter imports.
 */

export type CsvEncoding = 'utf-8' | 'shift_jis' | 'utf-16le' | 'utf-16be';

export const encodingNames: Record<CsvEncoding, string> = { 'utf-8': 'UTF-8', shift_jis: 'Shift_JIS', 'utf-16le': 'UTF-16 LE', 'utf-16be': 'UTF-16 BE' };

/**
 * UTF-8 with or without BOM; UTF-16 with a BOM (Excel's "Unicode text", tab-separated) or
 * without one (told by its NUL bytes, several and all at one parity); else Shift_JIS (Windows' CP932, what Excel writes in Japan).
 */
export function decodeCsv(bytes: Buffer): { text: string; encoding: CsvEncoding } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8' };
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  // Text in UTF-8 or Shift_JIS never has NUL bytes; UTF-16 has one in every ASCII character.
  const sample = bytes.subarray(0, 512);
  const nulAt = (parity: number) => sample.filter((b, i) => b === 0 && i % 2 === parity).length;
  const [odd, even] = [nulAt(1), nulAt(0)];
  // A stray NUL in a UTF-8 file is bad input (refused by line and column below), not UTF-16:
  // UTF-16 puts one in every ASCII character (separators, digits), all at one parity.
  if (odd + even >= 4 && Math.max(odd, even) >= 0.9 * (odd + even)) {
    // ASCII in UTF-16 LE has its NUL second (odd offsets), in BE first.
    return odd >= even ? { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' } : { text: new TextDecoder('utf-16be').decode(bytes), encoding: 'utf-16be' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(bytes, 'cp932'), encoding: 'shift_jis' };
  }
}

/** Tab-separated when the header line has tabs and no commas (Excel's "Unicode text", a TSV). */
function delimiterOf(text: string): ',' | '\t' {
  const firstLine = text.slice(0, text.search(/\r|\n|$/));
  return firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',';
}

/**
 * Turns csv-parse's byte offsets into line numbers. Its own line count is off after a quoted
 * cell with CRLF line breaks inside; the offset where a record starts is exact, and its line is
 * the one an officer sees in a text editor (CRLF, LF or CR each end one line).
 */
function lineCounter(utf8: Buffer) {
  let offset = 0;
  let line = 1;
  return (target: number) => {
    for (; offset < target && offset < utf8.length; offset++) {
      if (utf8[offset] === 0x0a || (utf8[offset] === 0x0d && utf8[offset + 1] !== 0x0a)) line++;
    }
    return line;
  };
}

export interface CsvRecord {
  line: number;
  cells: string[];
}

/**
 * The file's records (blank lines and lines of only commas left out), or the line where it
 * stops being CSV and why.
 */
export function readCsvRecords(bytes: Buffer): { encoding: CsvEncoding; records: CsvRecord[]; error?: { line: number; message: string } } {
  const { text, encoding } = decodeCsv(bytes);
  const lineAt = lineCounter(Buffer.from(text, 'utf8'));
  const records: CsvRecord[] = [];
  // Where the next record starts: the byte after the previous one ended.
  let start = 0;
  try {
    parse(text, {
      relax_column_count: true, delimiter: delimiterOf(text),
      on_record: (record: string[], context: { bytes: number }) => {
        const line = lineAt(start);
        start = context.bytes;
        // Empty lines and lines of only commas (Excel writes those below the data) are not rows.
        if (!record.every((cell) => cell.trim() === '')) records.push({ line, cells: record });
        return null;
      },
    });
  } catch (error) {
    // The record that broke starts where the last good one ended.
    const line = lineAt(start);
    const reason = (error as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED'
      ? 'a cell that starts with " on this line is never closed by another "'
      : (error as Error).message;
    return { encoding, records: [], error: { line, message: `The file is not valid CSV (read as ${encodingNames[encoding]}): ${reason}.` } };
  }
  return { encoding, records };
}

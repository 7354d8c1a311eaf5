import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import ja from '../i18n/ja.json' with { type: 'json' };
import en from '../i18n/en.json' with { type: 'json' };
import jaEasy from '../i18n/ja-easy.json' with { type: 'json' };
import { ERROR_CODE_KEYS, UNSHOWN_CONFLICTS } from './error-codes.js';

type Catalogue = { [key: string]: string | Catalogue };
const lookup = (catalogue: Catalogue, key: string) => key.split('.').reduce<string | Catalogue | undefined>((node, part) => (typeof node === 'object' ? node[part] : undefined), catalogue);

const SERVER = join(import.meta.dirname, '../../../server/src');
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [join(dir, e.name)] : []));

/** The codes the server answers with status `status`, read from its `new HttpError(status, 'code'` and HttpError.conflict calls. */
function serverCodes(status: number): Set<string> {
  const codes = new Set<string>();
  for (const file of sources(SERVER)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(new RegExp(`new HttpError\\(\\s*${status},\\s*'([a-z_]+)'`, 'g'))) codes.add(m[1]!);
    if (status === 409 && /HttpError\.conflict\(/.test(text)) codes.add('conflict');
  }
  return codes;
}

describe('the words for the server’s error codes (web/src/lib/error-codes.ts)', () => {
  it('names keys that ja.json, en.json and ja-easy.json all have', () => {
    const missing = Object.entries(ERROR_CODE_KEYS).flatMap(([code, key]) =>
      (Object.entries({ ja, en, 'ja-easy': jaEasy }) as [string, Catalogue][]).filter(([, c]) => typeof lookup(c, key) !== 'string').map(([lang]) => `${code} → ${key} (${lang})`));
    expect(missing).toEqual([]);
  });

  it('maps only codes the server sends', () => {
    const sent = new Set([...serverCodes(400), ...serverCodes(409)]);
    expect(Object.keys(ERROR_CODE_KEYS).filter((code) => !sent.has(code))).toEqual([]);
  });

  it('has words for every conflict (409) the server can send, apart from those listed as never shown', () => {
    const conflicts = [...serverCodes(409)];
    expect(conflicts).toContain('city_organisation');
    expect(conflicts.filter((code) => !Object.hasOwn(ERROR_CODE_KEYS, code) && !Object.hasOwn(UNSHOWN_CONFLICTS, code)).sort()).toEqual([]);
  });
});

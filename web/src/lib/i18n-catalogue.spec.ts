import { describe, expect, it } from 'vitest';
import ja from '../i18n/ja.json' with { type: 'json' };
import en from '../i18n/en.json' with { type: 'json' };
import jaEasy from '../i18n/ja-easy.json' with { type: 'json' };
import { parseRuby, rubyProblems, stripRuby } from './ruby-markup.js';

type Catalogue = { [key: string]: string | Catalogue };
function flatten(catalogue: Catalogue, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(catalogue)) {
    if (typeof value === 'string') out.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*([^}]+?)\s*\}\}|\$t\(([^)]*)\)/g)].map((m) => m[0]).sort();

const japanese = flatten(ja as Catalogue);
const easy = flatten(jaEasy as Catalogue);

/**
 * The pages a resident reads large (home, a circular, the drill answer): every kanji there
 * carries its reading, apart from a few counters everyone reads (人, 日, 分…).
 */
const LARGE = [/^home\./, /^drills\.prompt\./, /^drills\.answerPage\./, /^drills\.home\./, /^circulars\.home\./, /^circulars\.household\./, /^circulars\.answer\./];
const COUNTERS = /[人日分月時円]/g;

describe('やさしい日本語 catalogue (web/src/i18n/ja-easy.json)', () => {
  it('has every key of ja.json and no other', () => {
    expect([...japanese.keys()].filter((k) => !easy.has(k))).toEqual([]);
    expect([...easy.keys()].filter((k) => !japanese.has(k))).toEqual([]);
  });

  it('keeps every placeholder of ja.json', () => {
    const differ = [...japanese].filter(([k, v]) => easy.has(k) && placeholders(v).join() !== placeholders(easy.get(k)!).join());
    expect(differ.map(([k]) => k)).toEqual([]);
  });

  it('writes furigana as well-formed {漢字|かな} markup', () => {
    const broken = [...easy].flatMap(([k, v]) => rubyProblems(v).map((p) => `${k}: ${p}`));
    expect(broken).toEqual([]);
  });

  it('gives every kanji on the large resident pages its reading', () => {
    const bare = [...easy]
      .filter(([k]) => LARGE.some((re) => re.test(k)))
      .filter(([, v]) => /\p{Script=Han}/u.test(v.replace(/\{[^{}|]+\|[^{}|]+\}/g, '').replace(COUNTERS, '')))
      .map(([k]) => k);
    expect(bare).toEqual([]);
  });

  it('is its own text, not Japanese copied over (a few shared words aside)', () => {
    const same = [...japanese].filter(([k, v]) => easy.get(k) === v && /\p{Script=Han}/u.test(v));
    // Names and signs that stay as they are (the app's name, 日本語 in the language menu, the
    // paper circular's title) and bare counters ("{{count}}人").
    expect(same.map(([k]) => k).sort()).toEqual([
      'app.name', 'circulars.answer.people', 'circulars.print.headcountBlank', 'circulars.print.kaiban', 'drills.curve.minute', 'import.kinds.people', 'languages.ja',
    ]);
  });

  it('en.json has every key of ja.json (as _one/_other plurals where English needs them)', () => {
    const english = flatten(en as Catalogue);
    const missing = [...japanese.keys()].filter((k) => !english.has(k) && !english.has(`${k}_other`));
    expect(missing).toEqual([]);
  });
});

describe('ruby markup', () => {
  it('reads {base|reading} as ruby, leaves placeholders and literal values alone', () => {
    expect(parseRuby('わたしの {家|いえ}')).toEqual(['わたしの ', { base: '家', reading: 'いえ' }]);
    expect(parseRuby('{{name}} さん')).toEqual(['{{name}} さん']);
    expect(parseRuby('{安否確認|あんぴかくにん}：\uE000{a|b}\uE001')).toEqual([{ base: '安否確認', reading: 'あんぴかくにん' }, '：{a|b}']);
    expect(stripRuby('{無事|ぶじ}ですか？')).toBe('無事ですか？');
  });

  it('finds broken markup', () => {
    expect(rubyProblems('{家|いえ')).not.toEqual([]);
    expect(rubyProblems('{いえ|いえ}')).not.toEqual([]);
    expect(rubyProblems('{家|ie}')).not.toEqual([]);
    expect(rubyProblems('{{count}} けん、{家|いえ}')).toEqual([]);
  });
});

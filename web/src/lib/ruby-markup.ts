// ── Furigana markup for やさしい日本語 ────────────────────────────────────────────────
// In web/src/i18n/ja-easy.json a kanji word may carry its reading: `{漢字|かんじ}`. Text
// shown large (headings, the resident's home, circular and drill-answer pages) renders it
// as <ruby> (ui/ruby.tsx); everywhere else (t(), attributes, titles) it reads as the kanji
// alone. No DOM here, so it is tested on its own.

/** One `{base|reading}`; single braces, so i18next's `{{placeholder}}` never matches. */
const RUBY = /\{([^{}|\n]+)\|([^{}|\n]+)\}/g;
/** Around interpolated values in tRuby: what a resident typed is never read as markup. */
export const LITERAL_START = '\uE000';
export const LITERAL_END = '\uE001';
const LITERAL = /\uE000([^\uE001]*)\uE001/;

export function stripRuby(text: string): string {
  return text.replace(RUBY, '$1');
}

export function hasRuby(text: string): boolean {
  RUBY.lastIndex = 0;
  return RUBY.test(text);
}

export type RubyPart = string | { base: string; reading: string };

/** Text and `{base|reading}` parts, in order; values between LITERAL marks stay text. */
export function parseRuby(text: string): RubyPart[] {
  const parts: RubyPart[] = [];
  const push = (part: RubyPart) => {
    const last = parts[parts.length - 1];
    if (typeof part === 'string' && typeof last === 'string') parts[parts.length - 1] = last + part;
    else if (part !== '') parts.push(part);
  };
  let rest = text;
  while (rest) {
    const literal = LITERAL.exec(rest);
    const markup = literal ? rest.slice(0, literal.index) : rest;
    let at = 0;
    for (const match of markup.matchAll(RUBY)) {
      push(markup.slice(at, match.index));
      push({ base: match[1]!, reading: match[2]! });
      at = match.index + match[0].length;
    }
    push(markup.slice(at));
    if (!literal) break;
    push(literal[1]!);
    rest = rest.slice(literal.index + literal[0].length);
  }
  return parts;
}

const KANA = /^[\p{Script=Hiragana}\p{Script=Katakana}ー・ ]+$/u;
const HAS_KANJI = /\p{Script=Han}/u;

/** What is wrong with a catalogue string's markup: stray braces or pipes, a reading that is not kana, a base with no kanji. */
export function rubyProblems(text: string): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(RUBY)) {
    if (!HAS_KANJI.test(match[1]!)) problems.push(`"${match[1]}" has no kanji to read`);
    if (!KANA.test(match[2]!)) problems.push(`the reading "${match[2]}" of "${match[1]}" is not kana`);
  }
  const rest = text.replace(RUBY, '').replace(/\{\{[^{}]+\}\}/g, '').replace(/\$t\([^)]*\)/g, '');
  if (/[{}|]/.test(rest)) problems.push(`a "{", "}" or "|" outside {base|reading}: ${rest}`);
  return problems;
}

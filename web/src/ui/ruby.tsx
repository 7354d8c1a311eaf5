import { parseRuby } from '../lib/ruby-markup.js';
import { rubyOf, tRuby } from '../lib/i18n.js';

/**
 * Text shown large, with furigana in やさしい日本語: either a catalogue key (`k`, `values`)
 * or a string t() already gave (`text`; its ruby is found from the catalogue). In ja and en
 * it is the plain text.
 */
export function Ruby({ k, values, text }: { k?: string; values?: Record<string, unknown>; text?: string }) {
  const marked = k ? tRuby(k, values) : rubyOf(text ?? '');
  return (
    <>
      {parseRuby(marked).map((part, i) =>
        typeof part === 'string' ? (
          part
        ) : (
          <ruby key={i}>
            {part.base}
            <rp>(</rp>
            <rt>{part.reading}</rt>
            <rp>)</rp>
          </ruby>
        ),
      )}
    </>
  );
}

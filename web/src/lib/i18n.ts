import i18next from 'i18next';
import ja from '../i18n/ja.json' with { type: 'json' };
import en from '../i18n/en.json' with { type: 'json' };
import jaEasy from '../i18n/ja-easy.json' with { type: 'json' };
import type { Language } from './api.js';
import { hasRuby, LITERAL_END, LITERAL_START, stripRuby } from './ruby-markup.js';

type Catalogue = { [key: string]: string | Catalogue };
const mapStrings = (catalogue: Catalogue, fn: (text: string) => string): Catalogue =>
  Object.fromEntries(Object.entries(catalogue).map(([k, v]) => [k, typeof v === 'string' ? fn(v) : mapStrings(v, fn)]));
/** やさしい日本語 as t() gives it: the kanji without their {base|reading} furigana markup. */
const jaEasyPlain = mapStrings(jaEasy as Catalogue, stripRuby);
/** Plain text → its marked-up form, for <Ruby text>: every marked ja-easy string. */
const marked = new Map<string, string>();
mapStrings(jaEasy as Catalogue, (text) => {
  if (hasRuby(text) && !marked.has(stripRuby(text))) marked.set(stripRuby(text), text);
  return text;
});

export const LANGUAGES: readonly Language[] = ['ja', 'ja-easy', 'en'];
const STORAGE_KEY = 'tonari.language';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

function storedLanguage(): Language {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    if (isLanguage(value)) return value;
  } catch {
    // storage unavailable (private mode): fall through to the default
  }
  return 'ja';
}

void i18next.init({
  resources: { ja: { translation: ja }, 'ja-easy': { translation: jaEasyPlain, ruby: jaEasy }, en: { translation: en } },
  lng: storedLanguage(),
  // やさしい日本語 has every key (test/i18n-catalogue.test.ts); a key added later falls back to Japanese.
  fallbackLng: { 'ja-easy': ['ja'], default: ['ja'] },
  supportedLngs: ['ja', 'ja-easy', 'en'],
  // Otherwise i18next formats 'ja-easy' as 'ja-Easy' (as if it were a script subtag).
  lowerCaseLng: true,
  initAsync: false,
  interpolation: { escapeValue: false },
  returnNull: false,
});
document.documentElement.lang = htmlLang(currentLanguage());

function htmlLang(language: Language): string {
  return language === 'en' ? 'en' : 'ja';
}

export function currentLanguage(): Language {
  const language = i18next.language?.toLowerCase();
  return isLanguage(language) ? language : 'ja';
}

/** Switches the UI language, remembers it on this device and updates <html lang>. */
export function applyLanguage(language: Language): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // ignore
  }
  document.documentElement.lang = htmlLang(language);
  if (i18next.language !== language) void i18next.changeLanguage(language);
}

export function onLanguageChanged(listener: (language: Language) => void): () => void {
  const handler = (language: string) => {
    const lower = language.toLowerCase();
    listener(isLanguage(lower) ? lower : 'ja');
  };
  i18next.on('languageChanged', handler);
  return () => i18next.off('languageChanged', handler);
}

/** Translate a key from web/src/i18n/{ja,en}.json. */
export function t(key: string, options?: Record<string, unknown>): string {
  return i18next.t(key, options ?? {}) as unknown as string;
}

/** Translate into a fixed language regardless of the UI language (e.g. bilingual print). */
export function tIn(language: Language, key: string, options?: Record<string, unknown>): string {
  return i18next.getFixedT(language)(key, options ?? {}) as unknown as string;
}

/** Locale for Intl formatting. */
export function locale(): string {
  return currentLanguage() === 'en' ? 'en-GB' : 'ja-JP';
}

/**
 * Like t(), but in やさしい日本語 with the catalogue's `{漢字|かんじ}` furigana markup kept
 * (for ui/ruby.tsx). Interpolated values are marked as literal text: what a resident typed
 * is never read as markup.
 */
export function tRuby(key: string, options?: Record<string, unknown>): string {
  if (currentLanguage() !== 'ja-easy' || !i18next.exists(key, { ns: 'ruby', lng: 'ja-easy', fallbackLng: [] })) return t(key, options);
  const literal = Object.fromEntries(
    Object.entries(options ?? {}).map(([k, v]) => [k, typeof v === 'string' || typeof v === 'number' ? `${LITERAL_START}${v}${LITERAL_END}` : v]),
  );
  return i18next.t(key, { ...literal, count: options?.count, ns: 'ruby' }) as unknown as string;
}

/** The furigana form of a string t() gave, in やさしい日本語; the string itself otherwise. */
export function rubyOf(text: string): string {
  return currentLanguage() === 'ja-easy' ? (marked.get(text) ?? text) : text;
}

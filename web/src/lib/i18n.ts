import i18next from 'i18next';
import ja from '../i18n/ja.json' with { type: 'json' };
import en from '../i18n/en.json' with { type: 'json' };
import jaEasy from '../i18n/ja-easy.json' with { type: 'json' };
import type { Language } from './api.js';

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
  resources: { ja: { translation: ja }, 'ja-easy': { translation: jaEasy }, en: { translation: en } },
  lng: storedLanguage(),
  // やさしい日本語 has only a few strings of its own so far: the rest falls back to Japanese.
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

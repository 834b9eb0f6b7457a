// The one i18n layer: every user-facing string goes through t(). German is the default.
// The whole app speaks German and English; the self-service terminal also speaks Turkish,
// Arabic (right to left) and Ukrainian for everything a citizen sees there.
import { de, type MessageKey, type Messages } from './de';
import { en } from './en';
import { tr } from './tr';
import { ar } from './ar';
import { uk } from './uk';

export const LANGUAGES = ['de', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const TERMINAL_LANGUAGES = ['de', 'en', 'tr', 'ar', 'uk'] as const;
export type TerminalLanguage = (typeof TERMINAL_LANGUAGES)[number];

/** Each language's name in itself (the terminal's language buttons). */
export const NATIVE_NAMES: Record<TerminalLanguage, string> = {
  de: 'Deutsch',
  en: 'English',
  tr: 'Türkçe',
  ar: 'العربية',
  uk: 'Українська',
};

const RTL: readonly string[] = ['ar'];

const catalogues: Record<TerminalLanguage, Partial<Messages>> = { de, en, tr, ar, uk };

export function isLanguage(x: string): x is Language {
  return (LANGUAGES as readonly string[]).includes(x);
}

export function isTerminalLanguage(x: string): x is TerminalLanguage {
  return (TERMINAL_LANGUAGES as readonly string[]).includes(x);
}

/** Fills `{name}` placeholders; unknown placeholders stay visible so they get noticed. */
export function format(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** The counted nouns: keys `<noun>.one` and `<noun>.other`. */
export type CountNoun = MessageKey extends infer K
  ? K extends `${infer N}.other`
    ? N extends `count.${string}` | `form.count.${string}`
      ? N
      : never
    : never
  : never;

class I18n {
  language = $state<TerminalLanguage>('de');

  /** The text direction of the current language. */
  get dir(): 'ltr' | 'rtl' {
    return RTL.includes(this.language) ? 'rtl' : 'ltr';
  }

  // Turkish, Arabic and Ukrainian cover the terminal's texts; a staff-only text reached in
  // them (none should be) falls back to English rather than to a key.
  t = (key: MessageKey, params?: Record<string, string | number>): string =>
    format(catalogues[this.language][key] ?? en[key], params);

  /**
   * A number with its noun in the right form for the language's plural rules: `n('count.page',
   * 1)` → "1 Seite", `n('count.page', 3)` → "3 Seiten" — never "Seite(n)". `noun` is the key
   * without its category (`.one`, `.other`; a language may add `.few`, `.many`, `.two`).
   */
  n = (noun: CountNoun, count: number): string => {
    const category = new Intl.PluralRules(this.language).select(count);
    const own = catalogues[this.language] as Record<string, string | undefined>;
    const text = own[`${noun}.${category}`] ?? own[`${noun}.other`] ?? en[`${noun}.other`];
    return format(text, { count });
  };

  /** A text in a given language (the welcome screen greets in all of them). */
  tIn = (language: TerminalLanguage, key: MessageKey): string =>
    format(catalogues[language][key] ?? en[key]);

  /** Whether `key` is a message (for keys built from codes the Rust side sends). */
  has = (key: string): key is MessageKey => key in de;

  /** The translated text for an error code (codes come from the Rust side). */
  errorText = (code: string): string => {
    const key = `error.${code}`;
    if (key in de) return this.t(key as MessageKey);
    return this.t('error.unknown', { code });
  };

  set(language: TerminalLanguage): void {
    this.language = language;
    document.documentElement.lang = language;
    document.documentElement.dir = this.dir;
  }
}

export const i18n = new I18n();
export const t = i18n.t;
export const n = i18n.n;

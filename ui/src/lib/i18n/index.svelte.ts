// The one i18n layer: every user-facing string goes through t(). German is the default.
import { de, type MessageKey, type Messages } from './de';
import { en } from './en';

export const LANGUAGES = ['de', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const catalogues: Record<Language, Messages> = { de, en };

export function isLanguage(x: string): x is Language {
  return (LANGUAGES as readonly string[]).includes(x);
}

/** Fills `{name}` placeholders; unknown placeholders stay visible so they get noticed. */
export function format(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

class I18n {
  language = $state<Language>('de');

  t = (key: MessageKey, params?: Record<string, string | number>): string =>
    format(catalogues[this.language][key], params);

  /** Whether `key` is a message (for keys built from codes the Rust side sends). */
  has = (key: string): key is MessageKey => key in catalogues[this.language];

  /** The translated text for an error code (codes come from the Rust side). */
  errorText = (code: string): string => {
    const key = `error.${code}`;
    if (key in catalogues[this.language]) return this.t(key as MessageKey);
    return this.t('error.unknown', { code });
  };

  set(language: Language): void {
    this.language = language;
    document.documentElement.lang = language;
  }
}

export const i18n = new I18n();
export const t = i18n.t;

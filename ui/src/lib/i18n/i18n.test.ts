import { describe, expect, it } from 'vitest';
import { de } from './de';
import { en } from './en';
import { format, i18n } from './index.svelte';

describe('i18n', () => {
  it('has every key in both languages, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(de).sort());
    for (const [k, v] of [...Object.entries(de), ...Object.entries(en)]) {
      expect(v.trim(), k).not.toBe('');
    }
  });

  it('uses the same placeholders in both languages', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(de) as (keyof typeof de)[]) {
      expect(names(en[key]), key).toEqual(names(de[key]));
    }
  });

  it('is German by default and switches to English', () => {
    expect(i18n.language).toBe('de');
    expect(i18n.t('nav.forms')).toBe('Formulare');
    i18n.set('en');
    expect(i18n.t('nav.forms')).toBe('Forms');
    expect(document.documentElement.lang).toBe('en');
    i18n.set('de');
  });

  it("counts with the language's plural rules, never 'Seite(n)'", () => {
    i18n.set('de');
    expect(i18n.n('form.count.page', 1)).toBe('1 Seite');
    expect(i18n.n('form.count.page', 3)).toBe('3 Seiten');
    expect(i18n.n('count.documentOf', 6)).toBe('6 Dokumenten');
    i18n.set('en');
    expect(i18n.n('count.entry', 1)).toBe('1 entry');
    expect(i18n.n('count.entry', 0)).toBe('0 entries');
    i18n.set('de');
    for (const [k, v] of [...Object.entries(de), ...Object.entries(en)]) {
      expect(/\w\((n|e|en|s)\)|\/-\w|entry\/entries|try\/tries/.test(v), `${k}: ${v}`).toBe(false);
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(format('Postausgang: {count}', { count: 3 })).toBe('Postausgang: 3');
    expect(format('{a} {b}', { a: 'x' })).toBe('x {b}');
  });

  it('translates every error code the store can send, and unknown codes generically', () => {
    const storeCodes = [
      'store.data_dir_not_writable',
      'store.schema_too_new',
      'store.corrupt',
      'store.locked',
      'store.disk_full',
      'store.not_found',
      'draft.invalid_value',
    ];
    for (const code of storeCodes) {
      expect(i18n.errorText(code)).not.toContain('Unbekannter Fehler');
    }
    expect(i18n.errorText('x.y')).toBe('Unbekannter Fehler (x.y).');
  });
});

import { tr } from './tr';
import { ar } from './ar';
import { uk } from './uk';
import { TERMINAL_LANGUAGES } from './index.svelte';

describe('the terminal languages', () => {
  const others = { tr, ar, uk };

  it('have every terminal text, none empty, with the German placeholders', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [lang, cat] of Object.entries(others)) {
      expect(Object.keys(cat).sort(), lang).toEqual(Object.keys(tr).sort());
      for (const [key, text] of Object.entries(cat)) {
        expect(text.trim(), `${lang} ${key}`).not.toBe('');
        expect(key in de, `${lang} ${key}`).toBe(true);
        expect(names(text), `${lang} ${key}`).toEqual(names(de[key as keyof typeof de]));
      }
    }
  });

  it('cover every key the terminal, the form renderer and the statement use', () => {
    const sources = import.meta.glob(
      ['../terminal/*.svelte', '../forms/*.svelte', '../forms/issues.ts', '../components/A11yStatement.svelte'],
      { query: '?raw', import: 'default', eager: true },
    ) as Record<string, string>;
    expect(Object.keys(sources).length).toBeGreaterThan(5);
    const used = new Set<string>();
    for (const text of Object.values(sources)) {
      for (const m of text.matchAll(/\bt\('([a-zA-Z0-9_.]+)'/g)) used.add(m[1]!);
    }
    // Issue texts and terminal error texts are built from codes.
    for (const key of Object.keys(de)) {
      if (key.startsWith('issue.') || key.startsWith('error.terminal.') || key.startsWith('error.attachment.'))
        used.add(key);
    }
    const missing = [...used].filter((k) => !(k in tr));
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(100);
  });

  it('switches direction for Arabic and back', () => {
    expect(TERMINAL_LANGUAGES).toEqual(['de', 'en', 'tr', 'ar', 'uk']);
    i18n.set('ar');
    expect(document.documentElement.dir).toBe('rtl');
    expect(i18n.t('terminal.cancel')).toBe('إلغاء');
    // A staff-only text (none is reached at the terminal) falls back to English, not a key.
    expect(i18n.t('nav.forms')).toBe('Forms');
    i18n.set('uk');
    expect(document.documentElement.dir).toBe('ltr');
    expect(i18n.t('terminal.submit')).toBe('Надіслати');
    i18n.set('de');
  });
});

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

// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { Item } from '../bindings/Item';
import { answers, nextAfter, sections, type ReviewContext } from './review';

const items: Item[] = [
  { type: 'field', key: 'aktenzeichen', kind: 'text', label: { de: 'Aktenzeichen' } },
  { type: 'info', key: 'hinweis', text: { de: 'Bitte vollständig ausfüllen.' } },
  {
    type: 'group',
    key: 'termin',
    label: { de: 'Termin' },
    items: [
      { type: 'field', key: 'datum', kind: 'date', label: { de: 'Datum' } },
      { type: 'field', key: 'beginn', kind: 'date_time', label: { de: 'Beginn' } },
      { type: 'field', key: 'vor_ort', kind: 'yes_no', label: { de: 'Vor Ort' } },
      { type: 'field', key: 'leer', kind: 'text', label: { de: 'Leer' } },
    ],
  },
  {
    type: 'group',
    key: 'maengel',
    label: { de: 'Mängel' },
    repeat: { min: 0, max: null },
    items: [
      { type: 'field', key: 'art', kind: 'single_choice', label: { de: 'Art' }, choices: [{ value: 'riss', label: { de: 'Riss' } }] },
      { type: 'field', key: 'fotos', kind: 'attachment', label: { de: 'Fotos' } },
    ],
  },
  { type: 'field', key: 'geheim', kind: 'text', label: { de: 'Verborgen' } },
] as Item[];

const ctx: ReviewContext = {
  language: 'de',
  isHidden: (p) => p === 'geheim',
  choicesOf: (c) => (Array.isArray(c) ? c : []),
  words: { yes: 'Ja', no: 'Nein', row: (l, n) => `${l} – Eintrag ${n}`, signed: 'Unterschrieben' },
};

describe('the review before finalising', () => {
  it('lists the answered, shown fields in words under their sections and rows', () => {
    const list = answers(
      items,
      {
        aktenzeichen: '530.12-2026-0100',
        termin: { datum: '2026-12-01', beginn: '2026-12-01T09:30', vor_ort: false, leer: '' },
        maengel: [{ art: 'riss', fotos: [{ blob: 'b1', name: 'riss.jpg', media_type: 'image/jpeg', size: 3 }] }, {}],
        geheim: 'nicht zeigen',
      },
      ctx,
    );
    const lines = list.map((a) => (a.kind === 'heading' ? `# ${a.label}` : `${a.label}: ${a.value}`));
    expect(lines).toEqual([
      'Aktenzeichen: 530.12-2026-0100',
      '# Termin',
      'Datum: 01.12.2026',
      'Beginn: 01.12.2026 09:30',
      'Vor Ort: Nein',
      '# Mängel',
      '# Mängel – Eintrag 1',
      'Art: Riss',
      'Fotos: riss.jpg',
    ]);
    expect(list.find((a) => a.label === 'Art')?.path).toBe('maengel[0].art');
  });

  it('counts what is open per section', () => {
    const s = sections(
      items,
      [
        { path: 'termin.datum', code: 'required', params: {} },
        { path: 'maengel[0].art', code: 'required', params: {} },
        { path: 'maengel', code: 'too_few', params: {} },
        { path: 'aktenzeichen', code: 'required', params: {} },
      ] as never,
      'de',
      () => false,
    );
    expect(s.map((x) => [x.path, x.open])).toEqual([
      ['termin', 1],
      ['maengel', 2],
    ]);
  });

  it('finds the next open field after the focus, and wraps around', () => {
    document.body.innerHTML = '<input id="a"><input id="b"><input id="c">';
    const [a, b, c] = ['a', 'b', 'c'].map((id) => document.getElementById(id) as HTMLElement);
    expect(nextAfter([a!, c!], b!)).toBe(c);
    expect(nextAfter([a!, b!], c!)).toBe(a);
    expect(nextAfter([b!], null)).toBe(b);
  });
});

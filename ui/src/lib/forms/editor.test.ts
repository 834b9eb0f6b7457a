import { describe, expect, it } from 'vitest';
import type { Item } from '../bindings/Item';
import { labelOfPath, withGroups } from './editor.svelte';

const items = [
  { type: 'field', key: 'a', kind: 'text', label: { de: 'A' } },
  {
    type: 'group',
    key: 'g',
    label: { de: 'G' },
    items: [{ type: 'group', key: 'inner', label: { de: 'I' }, items: [] }],
  },
  { type: 'group', key: 'rows', label: { de: 'R' }, repeat: { min: 2 }, items: [] },
] as unknown as Item[];

describe('withGroups', () => {
  it('creates group objects and the minimum rows, keeping what is there', () => {
    const v = withGroups(items, { a: 'x', rows: [{ keep: 1 }] });
    expect(v).toEqual({ a: 'x', g: { inner: {} }, rows: [{ keep: 1 }, {}] });
  });

  it('replaces a value of the wrong shape by an empty group', () => {
    expect(withGroups(items, { g: 'kaputt', rows: 'auch' })).toEqual({
      g: { inner: {} },
      rows: [{}, {}],
    });
  });
});

describe('labelOfPath', () => {
  const form = [
    {
      type: 'group',
      key: 'termine',
      label: { de: 'Termine' },
      repeat: { min: 0 },
      items: [{ type: 'field', key: 'datum', kind: 'date', label: { de: 'Datum' } }],
    },
    { type: 'field', key: 'iban', kind: 'iban', label: { de: 'IBAN' } },
  ] as unknown as Item[];
  const pick = (t: { [k: string]: string | undefined }) => t['de'] ?? '';
  const row = (n: number) => `Eintrag ${n}`;

  it('names the group, the row and the field', () => {
    expect(labelOfPath(form, 'termine[1].datum', pick, row)).toBe('Termine, Eintrag 2: Datum');
    expect(labelOfPath(form, 'iban', pick, row)).toBe('IBAN');
    expect(labelOfPath(form, 'termine', pick, row)).toBe('Termine');
  });
});

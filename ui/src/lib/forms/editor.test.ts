import { describe, expect, it } from 'vitest';
import type { Item } from '../bindings/Item';
import { withGroups } from './editor.svelte';

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

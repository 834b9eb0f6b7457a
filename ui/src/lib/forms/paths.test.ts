import { describe, expect, it } from 'vitest';
import { childPath, domId, getAt, localToday, rowPath } from './paths';
import { pick } from './text';

describe('form paths', () => {
  it('builds the same paths as the engine', () => {
    expect(childPath('', 'termine')).toBe('termine');
    expect(childPath(rowPath('termine', 1), 'flaeche')).toBe('termine[1].flaeche');
  });

  it('reads values by path through groups and rows', () => {
    const v = { a: { b: 'x' }, rows: [{ c: 1 }, { c: 2 }] };
    expect(getAt(v, 'a.b')).toBe('x');
    expect(getAt(v, 'rows[1].c')).toBe(2);
    expect(getAt(v, 'rows[5].c')).toBeUndefined();
    expect(getAt(v, 'a.b.c')).toBeUndefined();
  });

  it('makes stable DOM ids, keeping German letters', () => {
    expect(domId('aktenzeichen')).toBe('field-aktenzeichen');
    expect(domId('stände[0].fläche')).toBe('field-stände-0-fläche');
  });

  it('uses the local date, not UTC', () => {
    expect(localToday(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });

  it('falls back to German text', () => {
    expect(pick({ de: 'Datum', en: 'Date' }, 'en')).toBe('Date');
    expect(pick({ de: 'Datum' }, 'tr')).toBe('Datum');
    expect(pick(null, 'de')).toBe('');
  });
});

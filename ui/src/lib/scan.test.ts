import { describe, expect, it } from 'vitest';
import type { PageView } from './bindings/PageView';
import { indexForm, indexPairs, parseFlag, undoFor, valueLabel, wordValue } from './scan';

const page: PageView = {
  id: 'p1',
  source: 'a.tif',
  source_page: 0,
  state: 'processed',
  error: null,
  blank: true,
  ink: 0.01,
  skew: 1.5,
  rotation: 3,
  starts_document: false,
  deleted: false,
  separator: false,
  barcodes: [],
  index: [],
  ocr: null,
  ocr_error: null,
};

describe('undoFor', () => {
  it('restores the value each kind of edit replaced', () => {
    expect(undoFor(page, { set: 'rotation', value: 0 }).edit).toEqual({ set: 'rotation', value: 3 });
    expect(undoFor(page, { set: 'deleted', value: true }).edit).toEqual({ set: 'deleted', value: false });
    expect(undoFor(page, { set: 'starts_document', value: true }).edit).toEqual({
      set: 'starts_document',
      value: false,
    });
    expect(undoFor(page, { set: 'blank', value: false }).edit).toEqual({ set: 'blank', value: true });
    expect(undoFor(page, { set: 'blank', value: false }).page).toBe('p1');
  });
});

describe('index station', () => {
  it('reads QC flags with and without a page', () => {
    expect(parseFlag('blank:3')).toEqual({ code: 'blank', page: 3 });
    expect(parseFlag('barcode_unread')).toEqual({ code: 'barcode_unread', page: null });
    expect(parseFlag('skew:x')).toEqual({ code: 'skew', page: null });
  });

  it('shows every field and saves only what is filled, other fields kept', () => {
    const form = indexForm([
      ['aktenzeichen', '530.12-2026/0042'],
      ['formular', 'A-17'],
    ]);
    expect(Object.keys(form).slice(0, 8)).toEqual([
      'dokumentart',
      'organisationseinheit',
      'aktenzeichen',
      'eingangsdatum',
      'absender',
      'briefdatum',
      'betreff',
      'notiz',
    ]);
    expect(form.aktenzeichen).toBe('530.12-2026/0042');
    form.absender = '  Erika Muster ';
    expect(indexPairs(form)).toEqual([
      ['aktenzeichen', '530.12-2026/0042'],
      ['absender', 'Erika Muster'],
      ['formular', 'A-17'],
    ]);
  });
});

describe('wordValue', () => {
  const master = [
    { kind: 'doctype', code: 'RECHNUNG', label: 'Rechnung' },
    { kind: 'doctype', code: 'WIDERSPRUCH', label: 'Widerspruch gegen Bescheid' },
    { kind: 'unit', code: '61.2', label: 'Bauordnung' },
  ];
  it('puts a clicked word into a text field without its trailing punctuation', () => {
    expect(wordValue('aktenzeichen', '61.2-123/2026,', master)).toBe('61.2-123/2026');
    expect(wordValue('absender', '„Stadtwerke', master)).toBe('Stadtwerke');
    expect(wordValue('absender', ' , ', master)).toBeNull();
  });
  it('matches a choice on its code or its label, else refuses', () => {
    expect(wordValue('dokumentart', 'rechnung', master)).toBe('RECHNUNG');
    expect(wordValue('dokumentart', 'Widerspruch', master)).toBe('WIDERSPRUCH');
    expect(wordValue('organisationseinheit', '61.2', master)).toBe('61.2');
    expect(wordValue('organisationseinheit', 'Kämmerei', master)).toBeNull();
  });
  it('reads a German date into the Eingangsdatum, and refuses other words there', () => {
    expect(wordValue('eingangsdatum', '01.12.2026', master)).toBe('2026-12-01');
    expect(wordValue('eingangsdatum', 'Münster,', master)).toBeNull();
  });
});

describe('valueLabel', () => {
  const master = [
    { kind: 'doctype', code: 'widerspruch', label: 'Widerspruch' },
    { kind: 'unit', code: '530.12', label: 'Bauordnung' },
  ];
  it('names codes by their master-data label and writes dates the German way', () => {
    expect(valueLabel('dokumentart', 'widerspruch', master)).toBe('Widerspruch');
    expect(valueLabel('organisationseinheit', '530.12', master)).toBe('530.12 – Bauordnung');
    expect(valueLabel('eingangsdatum', '2026-12-01', master)).toBe('01.12.2026');
    expect(valueLabel('dokumentart', 'unbekannt', master)).toBe('unbekannt');
    expect(valueLabel('aktenzeichen', '530.12-2026/0100', master)).toBe('530.12-2026/0100');
  });
});

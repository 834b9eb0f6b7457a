import { describe, expect, it } from 'vitest';
import type { PageView } from './bindings/PageView';
import { undoFor } from './scan';

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

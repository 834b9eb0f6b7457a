// Page operations in the Scanstelle are setters; undoing one sets the old value again.
import type { PageEdit } from './bindings/PageEdit';
import type { PageView } from './bindings/PageView';
import type { PageBefore } from './bindings/PageBefore';

export type Undo =
  | { kind: 'edit'; page: string; edit: PageEdit }
  | { kind: 'move'; page: string; to: number }
  | { kind: 'separation'; before: PageBefore[] };

/** The edit that restores `page` as it was before `edit`. */
export function undoFor(page: PageView, edit: PageEdit): Undo & { kind: 'edit' } {
  switch (edit.set) {
    case 'rotation':
      return { kind: 'edit', page: page.id, edit: { set: 'rotation', value: page.rotation } };
    case 'deleted':
      return { kind: 'edit', page: page.id, edit: { set: 'deleted', value: page.deleted } };
    case 'starts_document':
      return {
        kind: 'edit',
        page: page.id,
        edit: { set: 'starts_document', value: page.starts_document },
      };
    case 'blank':
      return { kind: 'edit', page: page.id, edit: { set: 'blank', value: page.blank } };
  }
}

/** The index station's fields, in the order they are typed. */
export const INDEX_FIELDS = [
  'dokumentart',
  'organisationseinheit',
  'aktenzeichen',
  'eingangsdatum',
  'absender',
  'notiz',
] as const;
export type IndexField = (typeof INDEX_FIELDS)[number];

/** A QC flag (`code` or `code:page`) split into its kind and the page it names. */
export function parseFlag(flag: string): { code: string; page: number | null } {
  const [code, page] = flag.split(':');
  const n = page === undefined ? NaN : Number(page);
  return { code: code ?? flag, page: Number.isInteger(n) && n > 0 ? n : null };
}

/** Index values as the form shows them: every field present, in order. */
export function indexForm(index: [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of INDEX_FIELDS) out[f] = '';
  for (const [k, v] of index) out[k] = v;
  return out;
}

/** The form's values as pairs to save: empty ones left out, other fields kept. */
export function indexPairs(form: Record<string, string>): [string, string][] {
  return Object.entries(form)
    .map(([k, v]) => [k, v.trim()] as [string, string])
    .filter(([, v]) => v !== '');
}

// Page operations in the Scanstelle are setters; undoing one sets the old value again.
import type { PageEdit } from './bindings/PageEdit';
import type { PageView } from './bindings/PageView';
import type { PageBefore } from './bindings/PageBefore';
import { parseDate } from './forms/dates';

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
  'briefdatum',
  'betreff',
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

/**
 * What a word (or run of words) clicked on the page puts into an index field: the master
 * data's code for a choice (matched on code or label, case and trailing punctuation
 * ignored), the ISO date for the Eingangsdatum (as written in German letters), the text
 * itself for the rest; `null` when it does not fit the field.
 */
export function wordValue(
  field: string,
  text: string,
  master: { kind: string; code: string; label: string }[],
): string | null {
  const clean = text.trim().replace(/^[„"'(]+|[“"'),.;:]+$/gu, '');
  if (!clean) return null;
  const kind = field === 'dokumentart' ? 'doctype' : field === 'organisationseinheit' ? 'unit' : null;
  if (kind) {
    const entries = master.filter((m) => m.kind === kind);
    if (!entries.length) return clean;
    const low = clean.toLocaleLowerCase('de');
    const hit =
      entries.find((m) => m.code.toLocaleLowerCase('de') === low) ??
      entries.find((m) => m.label.toLocaleLowerCase('de') === low) ??
      entries.find((m) => m.label.toLocaleLowerCase('de').includes(low));
    return hit?.code ?? null;
  }
  if (field === 'eingangsdatum') return parseDate(clean) ?? null;
  return clean;
}

/** An index value as people read it: a master-data code by its label (`530.12 – Bauordnung`,
 *  `Widerspruch`), a date in German writing, anything else as it is. */
export function valueLabel(
  field: string,
  value: string,
  master: { kind: string; code: string; label: string }[],
): string {
  const kind = field === 'dokumentart' ? 'doctype' : field === 'organisationseinheit' ? 'unit' : null;
  const hit = kind ? master.find((m) => m.kind === kind && m.code === value) : undefined;
  if (hit) return kind === 'unit' ? `${hit.code} – ${hit.label}` : hit.label;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (field === 'eingangsdatum' && iso) return `${iso[3]}.${iso[2]}.${iso[1]}`;
  return value;
}

// What a draft says, as a person reads it before finalising: every answered field that is
// shown, under its section and row, its value in words (dates in the app's format, choices by
// their labels, yes/no as Ja/Nein, files by name). Also the form's sections with what is
// still open in each, for the outline of long forms.

import type { Choice } from '../bindings/Choice';
import type { Choices } from '../bindings/Choices';
import type { Issue } from '../bindings/Issue';
import type { Item } from '../bindings/Item';
import type { JsonValue } from '../bindings/serde_json/JsonValue';
import { formatDate, splitDateTime } from './dates';
import { childPath, rowPath } from './paths';
import { pick } from './text';

export type Answer =
  | { kind: 'heading'; path: string; label: string; depth: number }
  | { kind: 'value'; path: string; label: string; value: string; depth: number };

export interface ReviewContext {
  language: string;
  isHidden: (path: string) => boolean;
  choicesOf: (choices: Choices | null | undefined) => Choice[];
  /** Texts the reader needs: Ja/Nein, "Eintrag n", "signature given". */
  words: { yes: string; no: string; row: (label: string, n: number) => string; signed: string };
}

type Values = { [key in string]: JsonValue };

function isEmpty(v: JsonValue | undefined): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
}

/** A field's value in words. */
export function valueText(item: Item & { type: 'field' }, v: JsonValue, ctx: ReviewContext): string {
  const label = (code: JsonValue) =>
    pick(ctx.choicesOf(item.choices).find((c) => c.value === code)?.label, ctx.language) || String(code);
  switch (item.kind) {
    case 'yes_no':
      return v === true ? ctx.words.yes : ctx.words.no;
    case 'date':
      return typeof v === 'string' ? formatDate(v, ctx.language) : String(v);
    case 'date_time': {
      const { date, time } = splitDateTime(String(v));
      return `${formatDate(date, ctx.language)} ${time}`.trim();
    }
    case 'single_choice':
      return label(v);
    case 'multiple_choice':
      return Array.isArray(v) ? v.map(label).join(', ') : String(v);
    case 'attachment':
      return Array.isArray(v)
        ? v.map((f) => (f && typeof f === 'object' && 'name' in f ? String(f.name) : '')).join(', ')
        : '';
    case 'signature':
      return ctx.words.signed;
    default:
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

/** The answers under `items` in reading order. */
export function answers(items: Item[], values: Values, ctx: ReviewContext, prefix = '', depth = 0): Answer[] {
  const out: Answer[] = [];
  for (const item of items) {
    const path = childPath(prefix, item.key);
    if (item.type === 'info' || ctx.isHidden(path)) continue;
    const label = pick(item.label, ctx.language);
    if (item.type === 'field') {
      const v = values[item.key];
      if (!isEmpty(v)) out.push({ kind: 'value', path, label, value: valueText(item, v as JsonValue, ctx), depth });
      continue;
    }
    const inner: Answer[] = [];
    const v = values[item.key];
    if (item.repeat) {
      const rows = Array.isArray(v) ? (v as Values[]) : [];
      rows.forEach((row, i) => {
        const rp = rowPath(path, i);
        const rowAnswers = answers(item.items, row ?? {}, ctx, rp, depth + 2);
        if (rowAnswers.length > 0) {
          inner.push({ kind: 'heading', path: rp, label: ctx.words.row(label, i + 1), depth: depth + 1 }, ...rowAnswers);
        }
      });
    } else {
      inner.push(...answers(item.items, (v as Values) ?? {}, ctx, path, depth + 1));
    }
    if (inner.length > 0) out.push({ kind: 'heading', path, label, depth }, ...inner);
  }
  return out;
}

export interface Section {
  path: string;
  label: string;
  /** Issues the engine reports inside this section (empty required fields among them). */
  open: number;
}

/**
 * The form's sections for the outline: its top-level groups that are shown. Fields outside
 * any group form no section (short forms have none and get no outline).
 */
export function sections(items: Item[], issues: Issue[], language: string, isHidden: (path: string) => boolean): Section[] {
  return items
    .filter((it) => it.type === 'group' && !isHidden(it.key))
    .map((g) => ({
      path: g.key,
      label: g.type === 'info' ? '' : pick(g.label, language),
      open: issues.filter((i) => i.path === g.key || i.path.startsWith(`${g.key}.`) || i.path.startsWith(`${g.key}[`)).length,
    }));
}

/** Of `targets` (elements in document order), the first after `from`, else the first. */
export function nextAfter<T extends Node>(targets: T[], from: Node | null): T | undefined {
  if (from) {
    const after = targets.find((t) => from.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING && !t.contains(from));
    if (after) return after;
  }
  return targets[0];
}

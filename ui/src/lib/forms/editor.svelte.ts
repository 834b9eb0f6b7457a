// The state of one open draft in the form renderer: the values being typed, the engine's
// last answer (issues, hidden items, calculated values), which fields the user has left.

import type { AttachmentRef } from '../bindings/AttachmentRef';
import type { FormDefinition } from '../bindings/FormDefinition';
import type { FormState } from '../bindings/FormState';
import type { Issue } from '../bindings/Issue';
import type { JsonValue } from '../bindings/serde_json/JsonValue';
import type { Choice } from '../bindings/Choice';
import type { Choices } from '../bindings/Choices';
import type { Item } from '../bindings/Item';
import type { ScannedPage } from '../bindings/ScannedPage';

export type Values = { [key in string]: JsonValue };

export class FormEditor {
  values = $state<Values>({});
  state = $state<FormState | null>(null);
  /** Paths the user has left (blur) — their issues are shown from then on. */
  touched = $state<Record<string, boolean>>({});
  /** After "check": every issue is shown. */
  showAll = $state(false);

  readonly definition: FormDefinition;
  private readonly onChange: (values: Values) => void;
  /** Stores a file for the attachment field at `path`; resolves to its reference. */
  readonly upload: (path: string, name: string, bytes: Uint8Array) => Promise<AttachmentRef>;
  /** At the terminal: scans a page into the attachment field at `path` (no file picker). */
  scan: ((path: string) => Promise<ScannedPage>) | null = null;
  /** At the terminal: texts the form lacks in the chosen language are marked as German. */
  markFallback = false;

  constructor(
    definition: FormDefinition,
    values: Values,
    onChange: (values: Values) => void,
    upload: (path: string, name: string, bytes: Uint8Array) => Promise<AttachmentRef>,
  ) {
    this.definition = definition;
    this.values = withGroups(definition.items, values);
    this.onChange = onChange;
    this.upload = upload;
  }

  /** Call after any change to `values`. */
  changed(): void {
    // A plain copy of the reactive values (JSON only, so a JSON round trip is exact).
    this.onChange(JSON.parse(JSON.stringify(this.values)) as Values);
  }

  touch(path: string): void {
    this.touched[path] = true;
  }

  isHidden(path: string): boolean {
    const hidden = this.state?.hidden ?? [];
    return hidden.some((h) => path === h || path.startsWith(h + '.') || path.startsWith(h + '['));
  }

  /** The issues to show at `path` now. */
  issuesAt(path: string, current?: JsonValue): Issue[] {
    if (!this.showAll && !this.touched[path]) return [];
    // The engine answers after the next save; until then a "required" for a field the user
    // has just filled would be wrong, so it is not shown.
    const filled = current !== undefined && current !== null && current !== '' && !(Array.isArray(current) && current.length === 0);
    return (this.state?.issues ?? []).filter(
      (i) => i.path === path && !(filled && i.code === 'required'),
    );
  }

  /** Every issue, for the error summary. */
  get allIssues(): Issue[] {
    return this.state?.issues ?? [];
  }

  choicesOf(choices: Choices | null | undefined): Choice[] {
    if (!choices) return [];
    if (Array.isArray(choices)) return choices;
    return this.definition.code_lists?.[choices.code_list]?.entries ?? [];
  }
}

/**
 * Gives every group its object and every repeat group its array (with `repeat.min` empty
 * rows), so the renderer only reads the structure and never has to create it while drawing.
 */
export function withGroups(items: Item[], values: Values): Values {
  const out: Values = { ...values };
  for (const item of items) {
    if (item.type !== 'group') continue;
    const current = out[item.key];
    if (item.repeat) {
      const rows = Array.isArray(current) ? (current as Values[]) : [];
      const filled = rows.map((r) => withGroups(item.items, r && typeof r === 'object' ? r : {}));
      while (filled.length < item.repeat.min) filled.push(withGroups(item.items, {}));
      out[item.key] = filled;
    } else {
      const obj = current && typeof current === 'object' && !Array.isArray(current) ? (current as Values) : {};
      out[item.key] = withGroups(item.items, obj);
    }
  }
  return out;
}

/**
 * A readable name for a path, for the error summary: the field's label, with its group and
 * row (`Termine und Standorte, Eintrag 2: Datum`). `rowLabel` formats a row number.
 */
export function labelOfPath(
  items: Item[],
  path: string,
  pickText: (t: { [k: string]: string | undefined }) => string,
  rowLabel: (n: number) => string,
): string {
  const parts = path.match(/[^.[\]]+/g) ?? [];
  const names: string[] = [];
  let scope: Item[] = items;
  for (let i = 0; i < parts.length; i++) {
    const item = scope.find((it) => it.key === parts[i]);
    if (!item) break;
    const label = item.type === 'info' ? '' : pickText(item.label);
    if (item.type === 'group') {
      scope = item.items;
      const next = parts[i + 1];
      if (item.repeat && next !== undefined && /^\d+$/.test(next)) {
        names.push(`${label}, ${rowLabel(Number(next) + 1)}`);
        i++;
        continue;
      }
    }
    names.push(label);
  }
  return names.filter(Boolean).join(': ');
}

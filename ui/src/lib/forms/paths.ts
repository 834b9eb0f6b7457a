// Paths name a field in the values tree exactly as the Rust engine does in its issues:
// `antragsteller.name`, `termine[1].flaeche`.

import type { JsonValue } from '../bindings/serde_json/JsonValue';
import type { Text } from './text';

export function childPath(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

export function rowPath(groupPath: string, index: number): string {
  return `${groupPath}[${index}]`;
}

/** A DOM id for a path; top-level `aktenzeichen` → `field-aktenzeichen`. */
export function domId(path: string): string {
  return 'field-' + path.replace(/[^\p{L}\p{N}_]+/gu, '-').replace(/-+$/, '');
}

/** Reads the value at `path` from a values tree (undefined when absent). */
export function getAt(values: JsonValue | undefined, path: string): JsonValue | undefined {
  let cur: JsonValue | undefined = values;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(part)] : (cur as Record<string, JsonValue | undefined>)[part];
  }
  return cur;
}

/** Today's local date as YYYY-MM-DD (the engine's `today()`). */
export function localToday(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

export type { Text };

// Long lists (batches, drafts, submissions, the outbox) come a page at a time. A refresh
// reloads as many rows as were on screen (at least one page) from the start; "show more"
// appends the page after the last row. The app reads each page along an index, so neither
// costs more as the store grows.
import type { Paged } from './bindings/Paged';

/** Rows per page. */
export const PAGE = 50;
/** The most rows the app hands out in one page. */
export const PAGE_MAX = 1000;

export type Fetch<T> = (after: string | null, limit: number) => Promise<Paged<T>>;

/** An empty list, before the first load. */
export function empty<T>(): Paged<T> {
  return { items: [], next: null };
}

/** The list from its start again, as long as it was (`shown` rows, at least one page). */
export function reload<T>(fetch: Fetch<T>, shown: number): Promise<Paged<T>> {
  return fetch(null, Math.min(Math.max(PAGE, shown), PAGE_MAX));
}

/** The list with the next page appended (unchanged when it has ended). */
export async function more<T>(fetch: Fetch<T>, list: Paged<T>): Promise<Paged<T>> {
  if (list.next === null) return list;
  const page = await fetch(list.next, PAGE);
  return { items: [...list.items, ...page.items], next: page.next };
}

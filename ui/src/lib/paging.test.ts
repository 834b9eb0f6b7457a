import { describe, expect, it } from 'vitest';
import { empty, more, PAGE, PAGE_MAX, reload, type Fetch } from './paging';

// A list of `n` rows served like the app does: `limit` rows after the cursor `after`.
function server(n: number): { fetch: Fetch<number>; asked: Array<[string | null, number]> } {
  const rows = Array.from({ length: n }, (_, i) => i);
  const asked: Array<[string | null, number]> = [];
  const fetch: Fetch<number> = async (after, limit) => {
    asked.push([after, limit]);
    const from = after === null ? 0 : Number(after) + 1;
    const items = rows.slice(from, from + limit);
    const next = from + limit < n ? String(from + limit - 1) : null;
    return { items, next };
  };
  return { fetch, asked };
}

describe('paged lists', () => {
  it('appends the page after the last row until the list ends', async () => {
    const { fetch } = server(120);
    let list = await reload(fetch, 0);
    expect(list.items).toHaveLength(PAGE);
    list = await more(fetch, list);
    expect(list.items).toHaveLength(2 * PAGE);
    list = await more(fetch, list);
    expect(list.items).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(list.next).toBeNull();
    expect(await more(fetch, list)).toBe(list);
  });

  it('a refresh keeps as many rows as were shown, within one page of the app', async () => {
    const { fetch, asked } = server(5000);
    await reload(fetch, 130);
    await reload(fetch, 3);
    await reload(fetch, 99999);
    expect(asked.map(([, limit]) => limit)).toEqual([130, PAGE, PAGE_MAX]);
    expect(asked.every(([after]) => after === null)).toBe(true);
  });

  it('starts empty', () => {
    expect(empty<number>()).toEqual({ items: [], next: null });
  });
});

// A Svelte action: `use:whenVisible={load}` calls `load` each time the element scrolls into
// view, and when `load` changes while the element is in view — so the expression must read
// what makes loading possible (`page.state === 'processed' ? () => load(page) : noop`), or
// a page processed while in view is never fetched. Thumbnails of long batches are fetched
// as they come into view, never all at once. One observer serves every element (a batch of
// 2,000 pages has 2,000 of them), and a new `load` for an element out of view waits until
// it scrolls in.

/** Nothing to load yet. */
export const noop = (): void => {};

type Watched = { load: () => void; visible: boolean };
const watched = new WeakMap<Element, Watched>();
let observer: IntersectionObserver | null = null;

function shared(): IntersectionObserver {
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        const w = watched.get(e.target);
        if (!w) continue;
        w.visible = e.isIntersecting;
        if (w.visible) w.load();
      }
    },
    // A screen's height ahead, so thumbnails are there when they scroll in.
    { rootMargin: '100% 0px' },
  );
  return observer;
}

export function whenVisible(node: HTMLElement, load: () => void) {
  const w: Watched = { load, visible: false };
  watched.set(node, w);
  shared().observe(node);
  return {
    update(next: () => void) {
      if (next === w.load) return;
      w.load = next;
      if (w.visible) next();
    },
    destroy() {
      watched.delete(node);
      observer?.unobserve(node);
    },
  };
}

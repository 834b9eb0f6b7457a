// A Svelte action: `use:whenVisible={load}` calls `load` each time the element scrolls into
// view, and at once when `load` changes — so the expression must read what makes loading
// possible (`page.state === 'processed' ? () => load(page) : noop`), or a page processed
// while in view is never fetched. Thumbnails of long batches are fetched as they come into
// view, never all at once.

/** Nothing to load yet. */
export const noop = (): void => {};

export function whenVisible(node: HTMLElement, load: () => void) {
  let current = load;
  const io = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) current();
  });
  io.observe(node);
  return {
    update(next: () => void) {
      current = next;
      current();
    },
    destroy: () => io.disconnect(),
  };
}

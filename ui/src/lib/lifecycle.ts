// Work that must finish before the window closes: pending draft saves. Editors register a
// flusher; when the window is asked to close, all flushers run (bounded in time) first.

type Flusher = () => Promise<void>;
const flushers = new Set<Flusher>();

/** Registers `f`; returns the function that unregisters it. */
export function registerFlusher(f: Flusher): () => void {
  flushers.add(f);
  return () => {
    flushers.delete(f);
  };
}

/** Runs every flusher; never waits longer than `timeoutMs` so closing cannot hang. */
export async function flushAll(timeoutMs = 3000): Promise<void> {
  const all = Promise.allSettled([...flushers].map((f) => f()));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([all, timeout]);
  clearTimeout(timer);
}

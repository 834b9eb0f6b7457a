import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushAll, registerFlusher } from './lifecycle';

describe('flushAll before the window closes', () => {
  afterEach(() => vi.useRealTimers());

  it('runs every registered flusher and waits for them', async () => {
    const done: string[] = [];
    const off1 = registerFlusher(async () => {
      await new Promise((r) => setTimeout(r, 5));
      done.push('a');
    });
    const off2 = registerFlusher(async () => {
      done.push('b');
    });
    await flushAll();
    expect(done.sort()).toEqual(['a', 'b']);
    off1();
    off2();
  });

  it('skips unregistered flushers and survives failing ones', async () => {
    const f = vi.fn(async () => {});
    const off = registerFlusher(f);
    off();
    const offBad = registerFlusher(async () => {
      throw new Error('disk full');
    });
    await expect(flushAll()).resolves.toBeUndefined();
    expect(f).not.toHaveBeenCalled();
    offBad();
  });

  it('gives up after the timeout so a hung save cannot keep the window open', async () => {
    vi.useFakeTimers();
    const off = registerFlusher(() => new Promise<void>(() => {}));
    const p = flushAll(3000);
    await vi.advanceTimersByTimeAsync(3000);
    await expect(p).resolves.toBeUndefined();
    off();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleTimer } from './idle';

describe('IdleTimer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function timer() {
    const calls: string[] = [];
    const t = new IdleTimer({
      idleMs: 30_000,
      warnMs: 20_000,
      onWarn: () => calls.push('warn'),
      onTimeout: () => calls.push('timeout'),
    });
    return { t, calls };
  }

  it('warns after the idle time and ends the session after the warning time', () => {
    const { t, calls } = timer();
    vi.advanceTimersByTime(29_999);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['warn']);
    expect(t.phase).toBe('warning');
    vi.advanceTimersByTime(19_999);
    expect(calls).toEqual(['warn']);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['warn', 'timeout']);
    expect(t.phase).toBe('ended');
  });

  it('input postpones the warning; during the warning only "more time" extends', () => {
    const { t, calls } = timer();
    vi.advanceTimersByTime(25_000);
    t.activity();
    vi.advanceTimersByTime(25_000);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(5_000);
    expect(calls).toEqual(['warn']);
    t.activity(); // a stray touch does not silently extend
    vi.advanceTimersByTime(10_000);
    t.extend();
    expect(t.phase).toBe('active');
    vi.advanceTimersByTime(29_000);
    expect(calls).toEqual(['warn']);
    vi.advanceTimersByTime(1_000);
    expect(calls).toEqual(['warn', 'warn']);
  });

  it('stops for good', () => {
    const { t, calls } = timer();
    t.stop();
    t.extend();
    vi.advanceTimersByTime(100_000);
    expect(calls).toEqual([]);
  });
});

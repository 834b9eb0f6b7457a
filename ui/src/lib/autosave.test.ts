import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Autosaver, type SaveState } from './autosave';

type V = Record<string, string>;

function setup(save: (v: V) => Promise<{ revision: number }>) {
  const states: SaveState[] = [];
  const saver = new Autosaver<V, { revision: number }>({
    save,
    onState: (s) => states.push(s),
    revisionOf: (r) => r.revision,
    delayMs: 250,
    now: () => 1234,
  });
  return { saver, states };
}

describe('Autosaver', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves the newest values once, within the delay, after a burst of keystrokes', async () => {
    const save = vi.fn(async (_v: V) => ({ revision: 1 }));
    const { saver, states } = setup(save);
    saver.change({ a: 'H' });
    saver.change({ a: 'Ha' });
    saver.change({ a: 'Hal' });
    expect(save).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(250);
    expect(save).toHaveBeenCalledTimes(1);
    expect(save).toHaveBeenCalledWith({ a: 'Hal' });
    expect(states.at(-1)).toEqual({ kind: 'saved', at: 1234, revision: 1 });
    expect(saver.dirty).toBe(false);
  });

  it('never runs two saves at once and sends changes made during a save right after', async () => {
    let release!: () => void;
    let running = 0;
    let maxRunning = 0;
    const calls: V[] = [];
    const save = vi.fn(async (v: V) => {
      calls.push(v);
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (calls.length === 1) await new Promise<void>((r) => (release = r));
      running--;
      return { revision: calls.length };
    });
    const { saver } = setup(save);
    saver.change({ a: '1' });
    await vi.advanceTimersByTimeAsync(250);
    saver.change({ a: '12' });
    const flushing = saver.flush();
    release();
    await flushing;
    expect(calls).toEqual([{ a: '1' }, { a: '12' }]);
    expect(maxRunning).toBe(1);
  });

  it('keeps the values after a failed save and sends them with the next flush', async () => {
    let fail = true;
    const save = vi.fn(async (_v: V) => {
      if (fail) throw { code: 'store.disk_full', message: 'full' };
      return { revision: 2 };
    });
    const { saver, states } = setup(save);
    saver.change({ a: 'wichtig' });
    await vi.advanceTimersByTimeAsync(250);
    expect(states.at(-1)?.kind).toBe('error');
    expect(saver.dirty).toBe(true);
    // No retry storm: nothing happens until the user acts or changes something.
    await vi.advanceTimersByTimeAsync(5000);
    expect(save).toHaveBeenCalledTimes(1);
    fail = false;
    await saver.flush();
    expect(save).toHaveBeenLastCalledWith({ a: 'wichtig' });
    expect(states.at(-1)).toEqual({ kind: 'saved', at: 1234, revision: 2 });
  });
});

// Autosave for drafts: every change is saved within `delayMs` (well under the 500 ms the
// product promises) without a save button. Saves never overlap: while one is in flight,
// later changes wait and only the newest values are sent next. A failed save keeps the
// values and retries on the next change or flush().

export type SaveState =
  | { kind: 'idle' }
  | { kind: 'pending' }
  | { kind: 'saving' }
  | { kind: 'saved'; at: number; revision: number }
  | { kind: 'error'; error: unknown };

export interface AutosaveOptions<V, R> {
  save: (values: V) => Promise<R>;
  onState: (state: SaveState) => void;
  revisionOf: (result: R) => number;
  delayMs?: number;
  now?: () => number;
}

export class Autosaver<V, R> {
  private readonly opts: Required<AutosaveOptions<V, R>>;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private latest: V | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(opts: AutosaveOptions<V, R>) {
    this.opts = { delayMs: 250, now: () => Date.now(), ...opts };
  }

  /** Records new values; they are saved after the delay. */
  change(values: V): void {
    this.latest = values;
    this.opts.onState({ kind: 'pending' });
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.opts.delayMs);
  }

  /** True while values are waiting or being saved. */
  get dirty(): boolean {
    return this.latest !== null || this.inFlight !== null;
  }

  /** Saves waiting values now; resolves when everything known so far is stored. */
  async flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.inFlight) await this.inFlight;
    const values = this.latest;
    if (values === null) return;
    this.latest = null;
    let ok = false;
    this.inFlight = this.saveOnce(values).then((r) => {
      ok = r;
    });
    try {
      await this.inFlight;
    } finally {
      this.inFlight = null;
    }
    // Changes made while saving go out right away; after a failure we wait for the
    // next change or flush() instead of hammering a broken store.
    if (ok && this.latest !== null && this.timer === null) await this.flush();
  }

  private async saveOnce(values: V): Promise<boolean> {
    this.opts.onState({ kind: 'saving' });
    try {
      const result = await this.opts.save(values);
      if (this.latest === null) {
        this.opts.onState({
          kind: 'saved',
          at: this.opts.now(),
          revision: this.opts.revisionOf(result),
        });
      }
      return true;
    } catch (error) {
      // Keep what the user typed unless newer values already replaced it.
      if (this.latest === null) this.latest = values;
      this.opts.onState({ kind: 'error', error });
      return false;
    }
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

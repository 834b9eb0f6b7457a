// The terminal's inactivity timer: after `idleMs` without input a warning; if the citizen
// does not ask for more time within `warnMs` (WCAG 2.2.1: at least 20 s), the session ends.

export type IdlePhase = 'active' | 'warning' | 'ended';

export interface IdleOptions {
  idleMs: number;
  warnMs: number;
  onWarn: () => void;
  onTimeout: () => void;
  /** Injected for tests. */
  setTimer?: (f: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class IdleTimer {
  phase: IdlePhase = 'active';
  private handle: unknown = null;
  private readonly o: Required<IdleOptions>;

  constructor(options: IdleOptions) {
    this.o = {
      setTimer: (f, ms) => setTimeout(f, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      ...options,
    };
    this.arm(this.o.idleMs, () => this.warn());
  }

  /** Input from the citizen. While the warning shows, only "more time" extends. */
  activity(): void {
    if (this.phase === 'active') this.arm(this.o.idleMs, () => this.warn());
  }

  /** "Yes, I need more time": back to a full idle period. */
  extend(): void {
    if (this.phase === 'ended') return;
    this.phase = 'active';
    this.arm(this.o.idleMs, () => this.warn());
  }

  stop(): void {
    this.phase = 'ended';
    if (this.handle !== null) this.o.clearTimer(this.handle);
    this.handle = null;
  }

  private warn(): void {
    this.phase = 'warning';
    this.o.onWarn();
    this.arm(this.o.warnMs, () => {
      this.stop();
      this.o.onTimeout();
    });
  }

  private arm(ms: number, f: () => void): void {
    if (this.handle !== null) this.o.clearTimer(this.handle);
    this.handle = this.o.setTimer(f, ms);
  }
}

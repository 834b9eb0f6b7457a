// The high-contrast theme: switched in the header, kept on this machine (local storage of
// the staff's webview; the terminal's is cleared with every session), and applied as
// `data-contrast` on the root element, which app.css's variables follow.

const KEY = 'eingang.contrast';

class Contrast {
  on = $state(false);

  constructor() {
    try {
      this.on = globalThis.localStorage?.getItem(KEY) === 'more';
    } catch {
      this.on = false;
    }
    this.apply();
  }

  /** Switches the theme; `keep`: remembered on this machine (not at the terminal, where
   * each citizen starts from the default). */
  toggle(keep = true): void {
    this.set(!this.on, keep);
  }

  set(on: boolean, keep = true): void {
    this.on = on;
    if (keep) {
      try {
        globalThis.localStorage?.setItem(KEY, on ? 'more' : 'normal');
      } catch {
        // Not kept; it still applies now.
      }
    }
    this.apply();
  }

  private apply(): void {
    if (typeof document !== 'undefined') {
      document.documentElement.dataset.contrast = this.on ? 'more' : 'normal';
    }
  }
}

export const contrast = new Contrast();

// The messages a citizen at the self-service terminal can see: the terminal's own texts,
// the accessibility statement, the form renderer's texts and the errors it can show.
// Turkish, Arabic and Ukrainian have exactly these (the type system checks it).
import type { MessageKey } from './de';

export type TerminalKey = Extract<
  MessageKey,
  | `terminal.${string}`
  | `a11y.${string}`
  | `issue.${string}`
  | `form.${string}`
  | `error.terminal.${string}`
  | `error.attachment.${string}`
  | 'error.unknown'
  | 'editor.required'
  | 'app.skipToContent'
>;

export type TerminalMessages = Record<TerminalKey, string>;

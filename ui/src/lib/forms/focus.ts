import { domId } from './paths';

/** Moves the focus into the field an issue is about (its first input for groups). */
export function focusField(event: MouseEvent, path: string): void {
  const target = document.getElementById(domId(path));
  if (!target) return;
  event.preventDefault();
  focusPath(target);
}

/** Focuses `target`, or for a group or choice its first input, and shows it. */
export function focusPath(target: HTMLElement): void {
  const input = target.matches('input, textarea, select')
    ? target
    : target.querySelector<HTMLElement>('input, textarea, select, button');
  (input ?? target).focus();
  target.scrollIntoView({ block: 'center' });
}

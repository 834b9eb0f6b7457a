// What the status bar and the sync view say about a delivery target, in words — never by
// colour alone.
import type { TargetStatus } from './bindings/TargetStatus';
import type { MessageKey } from './i18n/de';

export function targetStateKey(tg: Pick<TargetStatus, 'paused' | 'online'>): MessageKey {
  if (tg.paused) return 'outbox.target.paused';
  if (tg.online === true) return 'outbox.target.online';
  if (tg.online === false) return 'outbox.target.offline';
  return 'outbox.target.unknown';
}

/** A target's name for people: the zero-configuration local folder has none of its own (its
 *  id is `default`), so it is named in the user's language. */
export function targetName(tg: Pick<TargetStatus, 'id' | 'name'>, t: (key: MessageKey) => string): string {
  return tg.id === 'default' && (tg.name === 'default' || tg.name === '') ? t('outbox.target.defaultName') : tg.name;
}

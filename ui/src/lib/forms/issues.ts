// The text for an engine issue: the form's own message where it has one, else the
// translation of the issue code with its parameters.

import type { Issue } from '../bindings/Issue';
import type { MessageKey } from '../i18n/de';
import { de } from '../i18n/de';
import { i18n } from '../i18n/index.svelte';
import { pick } from './text';

export function issueText(issue: Issue): string {
  if (issue.message) return pick(issue.message, i18n.language);
  const key = `issue.${issue.code}`;
  if (key in de) return i18n.t(key as MessageKey, counted(issue.params));
  return i18n.t('issue.unknown', { code: issue.code });
}

/** Parameters that are counts of something get their noun ("2 Nachkommastellen"). */
function counted(params: Issue['params']): Record<string, string | number> {
  const out: Record<string, string | number> = { ...params };
  if (params.decimals !== undefined) out.decimals = i18n.n('form.count.decimal', Number(params.decimals));
  return out;
}

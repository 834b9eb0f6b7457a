// Which workspaces a machine shows, by the role its administrator gave it.

import type { Role } from './bindings/Role';

export type Workspace = 'scan' | 'forms' | 'terminal' | 'outbox';

export interface WorkspaceEntry {
  id: Workspace;
  label: 'nav.scan' | 'nav.forms' | 'nav.terminal' | 'nav.outbox';
}

const ALL: WorkspaceEntry[] = [
  { id: 'scan', label: 'nav.scan' },
  { id: 'forms', label: 'nav.forms' },
  { id: 'terminal', label: 'nav.terminal' },
  { id: 'outbox', label: 'nav.outbox' },
];

const BY_ROLE: Record<Role, Workspace[]> = {
  all: ['scan', 'forms', 'terminal', 'outbox'],
  scan: ['scan', 'outbox'],
  field: ['forms', 'outbox'],
  // A citizen at the terminal sees nothing else: no outbox, no other workspace.
  terminal: ['terminal'],
};

/** The workspaces of `role`, in the navigation's order; never empty. */
export function workspacesFor(role: Role): WorkspaceEntry[] {
  const ids = BY_ROLE[role] ?? BY_ROLE.all;
  return ALL.filter((w) => ids.includes(w.id));
}

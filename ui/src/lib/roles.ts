// Which workspaces a machine shows, by the role its administrator gave it.

import type { Role } from './bindings/Role';

export type Workspace = 'scan' | 'forms' | 'outbox';

export interface WorkspaceEntry {
  id: Workspace;
  label: 'nav.scan' | 'nav.forms' | 'nav.outbox';
}

const ALL: WorkspaceEntry[] = [
  { id: 'scan', label: 'nav.scan' },
  { id: 'forms', label: 'nav.forms' },
  { id: 'outbox', label: 'nav.outbox' },
];

const BY_ROLE: Record<Role, Workspace[]> = {
  all: ['scan', 'forms', 'outbox'],
  scan: ['scan', 'outbox'],
  field: ['forms', 'outbox'],
  // A terminal shows its own screens (TerminalApp), never a workspace: no outbox, nothing else.
  terminal: [],
};

/** The workspaces of `role`, in the navigation's order (none for a terminal). */
export function workspacesFor(role: Role): WorkspaceEntry[] {
  const ids: Workspace[] = BY_ROLE[role] ?? BY_ROLE.all;
  return ALL.filter((w) => ids.includes(w.id));
}

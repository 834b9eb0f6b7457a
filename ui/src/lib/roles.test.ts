import { describe, expect, it } from 'vitest';
import { workspacesFor } from './roles';

describe('workspacesFor', () => {
  it('shows every workspace without a role', () => {
    expect(workspacesFor('all').map((w) => w.id)).toEqual(['scan', 'forms', 'outbox']);
  });

  it('gives each role only its own workspaces', () => {
    expect(workspacesFor('scan').map((w) => w.id)).toEqual(['scan', 'outbox']);
    expect(workspacesFor('field').map((w) => w.id)).toEqual(['forms', 'outbox']);
    expect(workspacesFor('terminal')).toEqual([]);
  });
});

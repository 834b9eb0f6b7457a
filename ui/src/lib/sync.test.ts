import { describe, expect, it } from 'vitest';
import { targetStateKey } from './sync';

describe('targetStateKey', () => {
  it('puts a pause before reachability, and says when nothing was checked yet', () => {
    const paused = { code: 'sync.auth_refused', detail: '401' };
    expect(targetStateKey({ paused, online: true })).toBe('outbox.target.paused');
    expect(targetStateKey({ paused: null, online: true })).toBe('outbox.target.online');
    expect(targetStateKey({ paused: null, online: false })).toBe('outbox.target.offline');
    expect(targetStateKey({ paused: null, online: null })).toBe('outbox.target.unknown');
  });
});

import { describe, expect, it } from 'vitest';
import { targetName, targetStateKey } from './sync';

describe('targetStateKey', () => {
  it('puts a pause before reachability, and says when nothing was checked yet', () => {
    const paused = { code: 'sync.auth_refused', detail: '401' };
    expect(targetStateKey({ paused, online: true })).toBe('outbox.target.paused');
    expect(targetStateKey({ paused: null, online: true })).toBe('outbox.target.online');
    expect(targetStateKey({ paused: null, online: false })).toBe('outbox.target.offline');
    expect(targetStateKey({ paused: null, online: null })).toBe('outbox.target.unknown');
  });
});

describe('targetName', () => {
  const t = (k: string) => (k === 'outbox.target.defaultName' ? 'Lokaler Ordner „ausgang“' : k);
  it('names the zero-configuration folder in words, and others by their own name', () => {
    expect(targetName({ id: 'default', name: 'default' }, t)).toBe('Lokaler Ordner „ausgang“');
    expect(targetName({ id: 'dms', name: 'Stadt-DMS' }, t)).toBe('Stadt-DMS');
  });
});

import { describe, expect, it } from 'vitest';
import { passphraseProblem } from './unlock';

describe('passphraseProblem', () => {
  it('wants at least 12 characters, counted as characters', () => {
    expect(passphraseProblem('kurz', 'kurz')).toBe('passphrase');
    expect(passphraseProblem('ääääääääääää', 'ääääääääääää')).toBeNull();
  });

  it('wants the same passphrase twice', () => {
    expect(passphraseProblem('Kaffee im Rathaus', 'Kaffee im rathaus')).toBe('repeat');
    expect(passphraseProblem('Kaffee im Rathaus', 'Kaffee im Rathaus')).toBeNull();
  });
});

// The rule for a new passphrase, checked before it is sent (the app checks it again).

/** The field with a problem, or null: at least 12 characters, typed the same twice. */
export function passphraseProblem(passphrase: string, repeat: string): 'passphrase' | 'repeat' | null {
  if ([...passphrase].length < 12) return 'passphrase';
  if (passphrase !== repeat) return 'repeat';
  return null;
}

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveKey } from '@atrium/platform';
import { hashBackupCode, newBackupCodes, normalizeBackupCode } from './backup-codes.js';

const master = randomBytes(32);

describe('backup codes', () => {
  it('are ten distinct xxxxx-xxxxx codes that normalise however they are typed', () => {
    const codes = newBackupCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const [first] = codes;
    expect(normalizeBackupCode(` ${first.toUpperCase()} `)).toBe(first.replace('-', ''));
    expect(normalizeBackupCode('123456')).toBeUndefined();
    expect(normalizeBackupCode('abcde-fghi0')).toBeUndefined();
  });

  it('hash with a key, so the same code under another key does not match', () => {
    const k1 = deriveKey(master, 'mfa-backup-code');
    const k2 = deriveKey(randomBytes(32), 'mfa-backup-code');
    expect(hashBackupCode(k1, 'abcdefghjk')).toBe(hashBackupCode(k1, 'abcdefghjk'));
    expect(hashBackupCode(k1, 'abcdefghjk')).not.toBe(hashBackupCode(k2, 'abcdefghjk'));
  });
});

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashBackupCode, newBackupCodes, normalizeBackupCode } from './backup-codes.js';
import { deriveKey, SecretBox } from './secret-box.js';

const master = randomBytes(32);

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(deriveKey(master, 'totp-secret'));

  it('round-trips, with a fresh IV each time and no plaintext in the output', () => {
    const a = box.seal('JBSWY3DPEHPK3PXP', 'user_mfa:1');
    const b = box.seal('JBSWY3DPEHPK3PXP', 'user_mfa:1');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(a, 'user_mfa:1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuses a value moved to another context, altered, or opened with another key', () => {
    const sealed = box.seal('secret', 'user_mfa:1');
    expect(() => box.open(sealed, 'user_mfa:2')).toThrow();
    const [v, iv, tag, ct] = sealed.split('.');
    const flipped = Buffer.from(ct, 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([v, iv, tag, flipped.toString('base64url')].join('.'), 'user_mfa:1')).toThrow();
    expect(() => new SecretBox(deriveKey(randomBytes(32), 'totp-secret')).open(sealed, 'user_mfa:1')).toThrow();
    expect(() => new SecretBox(deriveKey(master, 'other-purpose')).open(sealed, 'user_mfa:1')).toThrow();
    expect(() => box.open('garbage', 'user_mfa:1')).toThrow();
  });

  it('insists on 32-byte keys', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow();
    expect(() => deriveKey(randomBytes(31), 'x')).toThrow();
  });
});

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

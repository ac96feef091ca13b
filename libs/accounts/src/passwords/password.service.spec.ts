import argon2 from 'argon2';
import { describe, expect, it, vi } from 'vitest';
import { PasswordService, weakPasswordReason } from './password.service.js';

describe('weakPasswordReason', () => {
  it('refuses passwords under eight characters', () => {
    expect(weakPasswordReason('Ab1!xyz')).toMatch(/at least 8/);
  });
  it('refuses common passwords whatever their case', () => {
    expect(weakPasswordReason('Password123')).toMatch(/too common/);
    expect(weakPasswordReason('QWERTYUIOP')).toMatch(/too common/);
  });
  it('refuses a password equal to the email', () => {
    expect(weakPasswordReason('jane@acme.io', 'Jane@Acme.io')).toMatch(/email/);
  });
  it('refuses one repeated character', () => {
    expect(weakPasswordReason('zzzzzzzzzz')).toMatch(/repeat/);
  });
  it('accepts a long uncommon password', () => {
    expect(weakPasswordReason('correct horse battery staple')).toBeUndefined();
  });
});

describe('PasswordService', () => {
  const service = new PasswordService();
  it('hashes with argon2id at the OWASP parameters and verifies only the right password', async () => {
    const hash = await service.hash('a-Strong-passphrase-9');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await service.verify(hash, 'a-Strong-passphrase-9')).toBe(true);
    expect(await service.verify(hash, 'a-strong-passphrase-9')).toBe(false);
  });
  it('answers false for a missing hash after doing the same work', async () => {
    const verify = vi.spyOn(argon2, 'verify');
    try {
      expect(await service.verify(null, 'whatever-it-is')).toBe(false);
      // The same argon2 verify as for a real account, against the decoy hash, so timing does not tell them apart.
      expect(verify).toHaveBeenCalledTimes(1);
      expect(verify.mock.calls[0][0]).toMatch(/^\$argon2id\$/);
    } finally {
      verify.mockRestore();
    }
  });
  it('turns a weak password into a 400 naming the rule', () => {
    expect(() => service.assertStrong('short')).toThrowError(/password must be at least 8 characters/);
  });
});

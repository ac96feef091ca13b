import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
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

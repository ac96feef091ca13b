import { describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPE_KEY_MAX_LENGTH } from '@atrium/platform';
import { UNSUBSCRIBE_TOKEN_MAX_LENGTH, UnsubscribeTokens } from './unsubscribe-token.js';

const KEY = Buffer.alloc(32, 0x7f);
const claims = {
  organizationId: '0b7c2f7e-1d7a-4f3e-9a55-0c3d2a1b4e5f',
  userId: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b',
  type: 'chat.mentioned',
  issuedAt: new Date('2026-05-01T12:00:00.000Z'),
};

describe('UnsubscribeTokens', () => {
  const tokens = new UnsubscribeTokens(KEY);
  const token = tokens.sign(claims);

  it('reads back what it signed, from a token safe in a URL', () => {
    expect(token).toMatch(/^u1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(tokens.verify(token)).toEqual(claims);
  });

  it('signs the longest type key the registry accepts, within the link length it reads', () => {
    const longest = { ...claims, type: `a.${'b'.repeat(NOTIFICATION_TYPE_KEY_MAX_LENGTH - 2)}` };
    const signed = tokens.sign(longest);
    expect(signed.length).toBeLessThanOrEqual(UNSUBSCRIBE_TOKEN_MAX_LENGTH);
    expect(tokens.verify(signed)).toEqual(longest);
  });

  it('refuses a token another key signed', () => {
    expect(new UnsubscribeTokens(Buffer.alloc(32, 0x11)).verify(token)).toBeNull();
  });

  it('refuses a changed payload: another user, organization or type', () => {
    const [prefix, payload, mac] = token.split('.');
    const wire = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    for (const change of [{ u: claims.organizationId }, { o: claims.userId }, { t: 'billing.payment_failed' }]) {
      const forged = Buffer.from(JSON.stringify({ ...wire, ...change })).toString('base64url');
      expect(tokens.verify(`${prefix}.${forged}.${mac}`)).toBeNull();
    }
  });

  it('refuses a changed MAC, a truncated token, and anything not a token', () => {
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    for (const bad of [
      `${token.slice(0, -1)}${last}`,
      token.slice(0, -1),
      token.slice(0, 40),
      `${token}x`,
      '',
      'u1..',
      undefined,
      ['a'],
      42,
    ]) {
      expect(tokens.verify(bad)).toBeNull();
    }
  });

  it('refuses a payload it signed that does not hold an organization, a user and a type', () => {
    for (const odd of [{ organizationId: 'acme' }, { userId: '' }, { type: '' }, { issuedAt: new Date(Number.NaN) }]) {
      expect(tokens.verify(tokens.sign({ ...claims, ...odd }))).toBeNull();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNothingChanged, organizationFootprint } from '../support/attack.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Attack matrix, API keys: keys that are not a live key of the organization answer 401 on a write and change
 * nothing. Covered elsewhere and not repeated: another organization's key with X-Organization-Id, a revoked, a
 * rotated-away and an expired key, a key with a character added and an unknown well-formed key
 * (test/security/api-keys.e2e-spec.ts: "refuses malformed, unknown, expired and another organization’s keys with
 * 401", "rotation gives a new key…", "revocation stops the key at once…").
 */
let t: TestApp;
let owner: RegisteredOrg;
let liveKey: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t.http);
  const created = await t.http.post('/api-keys', { name: 'Attack matrix' }, { token: owner.accessToken });
  expect(created.status).toBe(201);
  liveKey = created.body.data.key;
});
afterAll(async () => {
  await t?.close();
});

describe('malformed API keys', () => {
  it.each([
    { name: '`atr_` alone', key: (): string | undefined => 'atr_' },
    { name: 'the prefix alone', key: (): string | undefined => liveKey.split('_').slice(0, 2).join('_') },
    { name: 'the prefix and a separator', key: (): string | undefined => `${liveKey.split('_').slice(0, 2).join('_')}_` },
    { name: 'a wrong scheme prefix', key: (): string | undefined => liveKey.replace(/^atr_/, 'sk_') },
    { name: 'an upper-cased prefix', key: (): string | undefined => liveKey.replace(/^atr_[0-9a-f]{8}/, (p) => p.toUpperCase()) },
    { name: 'overlong (10,000 characters)', key: (): string | undefined => liveKey + 'A'.repeat(10_000 - liveKey.length) },
    { name: 'the secret truncated', key: (): string | undefined => liveKey.slice(0, -1) },
    { name: 'whitespace inside', key: (): string | undefined => `${liveKey.slice(0, 10)} ${liveKey.slice(10)}` },
    { name: 'two keys joined by a comma', key: (): string | undefined => `${liveKey},${liveKey}` },
    { name: 'the key as a bearer token', key: (): string | undefined => undefined, bearer: () => liveKey },
  ])('$name → 401, nothing changed', async ({ key: presented, bearer }) => {
    const res = await expectNothingChanged(t, await organizationFootprint(t, owner.organizationId), () =>
      t.http.put('/organizations/me', { name: 'Taken over' }, { apiKey: presented(), token: bearer?.() }),
    );
    expect(res.status).toBe(401);
    expect(['invalid_api_key', 'invalid_token']).toContain(res.body.code);
    // The genuine key still works: only the malformed one was refused.
    expect((await t.http.get('/api-keys/current', { apiKey: liveKey })).status).toBe(200);
  });
});

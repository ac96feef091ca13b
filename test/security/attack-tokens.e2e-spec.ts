import { createHmac, generateKeyPairSync, sign as signWith } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNothingChanged, organizationFootprint, rows } from '../support/attack.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { addMember, sessionIdOf } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Attack matrix, tokens: forged, foreign, stale and mangled access tokens answer 401 on a write, which changes
 * nothing. Covered elsewhere and not repeated here: `alg: none` and a tampered payload (test/auth/auth.e2e-spec.ts,
 * "refuses missing, malformed, tampered and wrong-algorithm tokens"), a reused rotated refresh token revoking its
 * family (same file), an ended session's tokens (test/security/sessions.e2e-spec.ts, "ends another of your
 * sessions"), a revoked membership on the next request (test/platform/http-conventions.e2e-spec.ts), an account
 * suspended by an administrator (test/organizations/users-admin.e2e-spec.ts, "suspends an account").
 */
let t: TestApp;
let org: RegisteredOrg;

beforeAll(async () => {
  t = await startTestApp();
  org = await registerOrg(t.http);
});
afterAll(async () => {
  await t?.close();
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
const now = () => Math.floor(Date.now() / 1000);
const HEADER = { alg: 'HS256', typ: 'at+jwt' };

/** An HS256 token over exactly these header and claims, with `key` (the app's own unless told otherwise). */
function hs256(header: object, claims: object, key: Parameters<typeof createHmac>[1] = t.config.auth.jwtKey): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** Each case builds its token from the owner's real one (so only the named defect differs). */
const CASES: Array<{ name: string; token: (real: string) => string | Promise<string> }> = [
  {
    name: 'HS256 signed with another key',
    token: (real) => hs256(HEADER, claimsOf(real), 'another-secret-that-is-also-32-characters-long'),
  },
  {
    name: 'an RS256 header, signed with an RSA key',
    token: (real) => {
      const input = `${b64({ alg: 'RS256', typ: 'at+jwt' })}.${b64(claimsOf(real))}`;
      return `${input}.${signWith('sha256', Buffer.from(input), rsa.privateKey).toString('base64url')}`;
    },
  },
  {
    name: 'an RS256 header, HMAC-signed with the public key (key confusion)',
    token: (real) => hs256({ alg: 'RS256', typ: 'at+jwt' }, claimsOf(real), rsa.publicKey.export({ type: 'spki', format: 'pem' })),
  },
  {
    name: 'an ES256 header, signed with an EC key',
    token: (real) => {
      const input = `${b64({ alg: 'ES256', typ: 'at+jwt' })}.${b64(claimsOf(real))}`;
      return `${input}.${signWith('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    },
  },
  { name: 'an HS512 header with the right key', token: (real) => hs256({ alg: 'HS512', typ: 'at+jwt' }, claimsOf(real)) },
  { name: 'expired a minute ago', token: (real) => hs256(HEADER, { ...claimsOf(real), iat: now() - 1000, exp: now() - 60 }) },
  { name: 'not valid for another hour (nbf)', token: (real) => hs256(HEADER, { ...claimsOf(real), nbf: now() + 3600 }) },
  {
    name: 'no expiry',
    token: (real) => {
      const { exp: _exp, ...rest } = claimsOf(real);
      return hs256(HEADER, rest);
    },
  },
  { name: 'another issuer', token: (real) => hs256(HEADER, { ...claimsOf(real), iss: 'someone-else' }) },
  { name: 'another audience', token: (real) => hs256(HEADER, { ...claimsOf(real), aud: 'atrium-admin' }) },
  { name: 'a plain JWT type instead of at+jwt', token: (real) => hs256({ alg: 'HS256', typ: 'JWT' }, claimsOf(real)) },
  { name: 'the refresh token used as an access token', token: () => org.refreshToken },
  { name: 'truncated by one character', token: (real) => real.slice(0, -1) },
  { name: 'the signature cut off', token: (real) => real.split('.').slice(0, 2).join('.') + '.' },
  { name: 'base64 padding added to the signature', token: (real) => `${real}==` },
  { name: 'an extra segment', token: (real) => `${real}.${real.split('.')[2]}` },
  { name: 'a space inside', token: (real) => `${real.slice(0, 20)} ${real.slice(20)}` },
  { name: 'a tab inside', token: (real) => `${real.slice(0, 20)}\t${real.slice(20)}` },
  {
    name: 'a signature of another token',
    token: (real) => `${real.split('.').slice(0, 2).join('.')}.${org.accessToken.split('.')[2].split('').reverse().join('')}`,
  },
  {
    name: 'a claim changed under the original signature',
    token: (real) => {
      const [h, , s] = real.split('.');
      return `${h}.${b64({ ...claimsOf(real), sid: claimsOf(org.accessToken).sid, exp: now() + 86400 })}.${s}`;
    },
  },
  { name: 'overlong (5,000 characters)', token: (real) => real + 'A'.repeat(5000 - real.length) },
];

describe('forged, stale and mangled access tokens', () => {
  // Not here: `iat` in the future with the right key is accepted, as RFC 7519 allows; only the key holder mints it.
  it.each(CASES)('$name → 401, nothing changed', async ({ token }) => {
    // Each case signs in afresh, so a case that reaches the session cannot disturb the next.
    const session = (await t.http.post('/auth/login', { email: org.email, password: org.password })).body;
    const forged = await token(session.access_token as string);
    const res = await expectNothingChanged(t, await organizationFootprint(t, org.organizationId), () =>
      t.http.put('/users/me', { first_name: 'Forged' }, { token: forged }),
    );
    expect(res.status).toBe(401);
    expect(['invalid_token', 'token_expired', 'missing_credentials']).toContain(res.body.code);
    // The genuine token of the same sign-in still works: the refusal was about the forgery alone.
    expect((await t.http.get('/users/me', { token: session.access_token })).status).toBe(200);
  });

  it("a token naming the account with another member's session (minted with the key) → 401, nothing changed", async () => {
    const member = await addMember(t, org.organizationId, 'admin');
    const mixed = hs256(HEADER, { ...claimsOf(org.accessToken), sid: sessionIdOf(member.accessToken) });
    const res = await expectNothingChanged(t, await organizationFootprint(t, org.organizationId), () =>
      t.http.put('/users/me', { first_name: 'Mixed' }, { token: mixed }),
    );
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('session_revoked');
    // Both genuine tokens still work: the session and the account are fine, only their pairing is forged.
    expect((await t.http.get('/users/me', { token: org.accessToken })).status).toBe(200);
    expect((await t.http.get('/users/me', { token: member.accessToken })).status).toBe(200);
  });

  // Several spaces between scheme and token are valid HTTP (RFC 9110 `1*SP`), and fetch trims trailing whitespace
  // before sending: what must fail is a header that is not `Bearer <one token>`.
  it('an Authorization header that is not "Bearer <token>" → 401', async () => {
    for (const header of [
      `Bearer${org.accessToken}`,
      `Token ${org.accessToken}`,
      `Basic ${org.accessToken}`,
      `Bearer ${org.accessToken} ${org.accessToken}`,
    ]) {
      const res = await expectNothingChanged(t, await organizationFootprint(t, org.organizationId), () =>
        t.http.request('PUT', '/users/me', { first_name: 'Padded' }, { headers: { authorization: header } }),
      );
      expect(res.status, JSON.stringify(header)).toBe(401);
    }
  });
});

describe('tokens whose account or session changed underneath them', () => {
  it.each([
    { name: 'the session row deleted', change: (o: RegisteredOrg) => rows(t, `DELETE FROM sessions WHERE user_id = $1`, [o.userId]) },
    {
      name: 'the account suspended directly (sessions left open)',
      change: (o: RegisteredOrg) => rows(t, `UPDATE users SET status = 'suspended' WHERE id = $1`, [o.userId]),
    },
    {
      name: 'the membership revoked directly (sessions left open)',
      change: (o: RegisteredOrg) => rows(t, `UPDATE memberships SET status = 'revoked', revoked_at = now() WHERE user_id = $1`, [o.userId]),
    },
  ])('$name → 401 on the next request, nothing changed', async ({ change }) => {
    const victim = await registerOrg(t.http);
    // Seen once, so a cache of verified tokens would have it.
    expect((await t.http.get('/users/me', { token: victim.accessToken })).status).toBe(200);
    await change(victim);
    const res = await expectNothingChanged(t, await organizationFootprint(t, victim.organizationId), () =>
      t.http.put('/users/me', { first_name: 'Afterwards' }, { token: victim.accessToken }),
    );
    expect(res.status).toBe(401);
    expect((await t.http.post('/auth/refresh', { refresh_token: victim.refreshToken })).status).toBe(401);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNothingChanged, organizationFootprint } from '../support/attack.js';
import { registerOrg } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Attack matrix, brute force: 50 wrong passwords on one account from a new X-Forwarded-For address each time, with
 * and without a trusted proxy, end at the per-account ceiling (429 with Retry-After), which then refuses the right
 * password too and opens no session. The per-(account, address) budget is set out of reach here so the account
 * ceiling is what answers. Covered elsewhere and not repeated: TOTP guessing locks with 429 and Retry-After
 * (test/security/mfa.e2e-spec.ts, "locks after too many wrong codes…"), a backup code works once (same file, "accepts
 * each backup code once"), an invitation link works once, answers 409 once expired, and adds an existing account
 * only when it is signed in as the invited address (test/organizations/invitations.e2e-spec.ts: "creates the account
 * … the link works once", "answers 409 once expired…", "adds an existing account only when…"), X-Forwarded-For
 * ignored without a trusted proxy for the per-IP budget (test/security/rate-limit.e2e-spec.ts).
 */
const ACCOUNT_CEILING = 50;
const apps: Record<string, TestApp> = {};

beforeAll(async () => {
  const env = { RATE_LIMIT_AUTH_ACCOUNT_FAILURES: String(ACCOUNT_CEILING), RATE_LIMIT_AUTH_FAILURES: '100000' };
  apps.untrusted = await startTestApp({ ...env, TRUST_PROXY: 'false' });
  apps.trusted = await startTestApp({ ...env, TRUST_PROXY: 'loopback' });
});
afterAll(async () => {
  await Promise.all(Object.values(apps).map((a) => a.close()));
});

let ipSeq = 0;
const rotatingIp = () => `203.0.113.${(++ipSeq % 250) + 1}`;

describe('password guessing from rotating addresses', () => {
  it.each([
    { proxy: 'without TRUST_PROXY (X-Forwarded-For ignored)', app: 'untrusted' },
    { proxy: 'with TRUST_PROXY=loopback (every attempt from a new client address)', app: 'trusted' },
  ])('$proxy: 50 wrong passwords answer 401, then 429 with Retry-After even for the right one', { timeout: 120_000 }, async ({ app }) => {
    const t = apps[app];
    const victim = await registerOrg(t.http);
    const login = (password: string) =>
      t.http.post('/auth/login', { email: victim.email, password }, { headers: { 'x-forwarded-for': rotatingIp() } });
    const sessions = [`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1`, [victim.userId]] as [string, unknown[]];
    await expectNothingChanged(t, [...(await organizationFootprint(t, victim.organizationId)), sessions], async () => {
      for (let i = 0; i < ACCOUNT_CEILING; i++) {
        const res = await login(`Wrong-Guess-${i}!`);
        expect(res.status, `attempt ${i + 1}`).toBe(401);
      }
      for (const password of ['Wrong-Guess-last!', victim.password]) {
        const res = await login(password);
        expect(res.status).toBe(429);
        expect(res.body.code).toBe('rate_limited');
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    });
    // The account's own sessions were never touched: its earlier token still works.
    expect((await t.http.get('/users/me', { token: victim.accessToken })).status).toBe(200);
  });
});

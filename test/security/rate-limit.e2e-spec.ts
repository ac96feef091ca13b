import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@atrium/platform';
import { STRONG_PASSWORD, uniqueEmail } from '../support/factories.js';
import type { HttpResponse } from '../support/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    RATE_LIMIT_AUTH_PER_MINUTE: '5',
    RATE_LIMIT_AUTH_FAILURES: '2',
    RATE_LIMIT_AUTH_ACCOUNT_FAILURES: '5',
    RATE_LIMIT_REGISTRATION_PER_HOUR: '2',
    RATE_LIMIT_RESEND_VERIFICATION_PER_HOUR: '2',
    RATE_LIMIT_DEFAULT_PER_MINUTE: '4',
    TRUST_PROXY: 'loopback',
  });
});
afterAll(async () => {
  await t?.close();
});

let ipSeq = 0;
/** A client address of its own (the app trusts the loopback proxy, so X-Forwarded-For sets req.ip). */
const newIp = () => `198.51.100.${++ipSeq}`;
const from = (ip: string, token?: string) => ({ headers: { 'x-forwarded-for': ip }, token });
const post = (path: string, body: Record<string, unknown>, ip: string, token?: string) => t.http.post(path, body, from(ip, token));
const login = (email: string, password: string, ip: string) => post('/auth/login', { email, password }, ip);
const WRONG = 'Wrong-Password-123';

/** A fresh account, registered from an address of its own so registrations never use up a test's budget. */
async function account(): Promise<{ email: string; password: string }> {
  const email = uniqueEmail();
  const res = await post('/auth/organization/register', registration(email), newIp());
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { email, password: STRONG_PASSWORD };
}
const registration = (email: string) => ({
  organization_name: 'Rate Limited Ltd',
  first_name: 'Rita',
  last_name: 'Limit',
  email,
  password: STRONG_PASSWORD,
});

function expectHeaders(res: HttpResponse, limit: number, remaining: number, window = 60) {
  expect(res.headers.get('x-ratelimit-limit')).toBe(String(limit));
  expect(res.headers.get('x-ratelimit-remaining')).toBe(String(remaining));
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  expect(reset).toBeGreaterThan(0);
  expect(reset).toBeLessThanOrEqual(window);
}

function expect429(res: HttpResponse, limit: number, window = 60) {
  expect(res.status, JSON.stringify(res.body)).toBe(429);
  expect(res.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', code: 'rate_limited' });
  expect(res.body.requestId).toBeTruthy();
  expectHeaders(res, limit, 0, window);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(window);
}

const badLink = (ip: string) => post('/auth/magic-link/verify', { token: 'x'.repeat(43) }, ip);

describe('sign-in routes: one budget per client IP', () => {
  it('counts down in the headers and answers 429 with Retry-After past the limit', async () => {
    const ip = newIp();
    for (let i = 0; i < 5; i++) {
      const res = await badLink(ip);
      expect(res.status).toBe(400);
      expectHeaders(res, 5, 4 - i);
    }
    expect429(await badLink(ip), 5);
    expect((await badLink(newIp())).status).toBe(400);
  });

  it('is shared by login, verify-mfa, magic links and password reset', async () => {
    const ip = newIp();
    expect((await login(uniqueEmail(), WRONG, ip)).status).toBe(401);
    expect((await post('/auth/verify-mfa', { email: uniqueEmail(), password: WRONG, mfa_code: '123456' }, ip)).status).toBe(401);
    expect((await post('/auth/magic-link', { email: uniqueEmail() }, ip)).status).toBe(202);
    expect((await badLink(ip)).status).toBe(400);
    expect((await post('/auth/forgot-password', { email: uniqueEmail() }, ip)).status).toBe(202);
    expect429(await post('/auth/reset-password', { token: 'x'.repeat(43), new_password: 'Whatever-Pass-1' }, ip), 5);
    expect429(await login(uniqueEmail(), WRONG, ip), 5);
  });

  it('covers each sign-in route', async () => {
    const cases: Array<[string, () => Record<string, unknown>, number]> = [
      ['/auth/login', () => ({ email: uniqueEmail(), password: WRONG }), 401],
      ['/auth/verify-mfa', () => ({ email: uniqueEmail(), password: WRONG, mfa_code: '123456' }), 401],
      ['/auth/forgot-password', () => ({ email: uniqueEmail() }), 202],
      ['/auth/reset-password', () => ({ token: 'x'.repeat(43), new_password: 'Whatever-Pass-1' }), 400],
      ['/auth/magic-link', () => ({ email: uniqueEmail() }), 202],
      ['/auth/magic-link/verify', () => ({ token: 'x'.repeat(43) }), 400],
    ];
    for (const [path, body, status] of cases) {
      const ip = newIp();
      for (let i = 0; i < 5; i++) expect((await post(path, body(), ip)).status, path).toBe(status);
      expect429(await post(path, body(), ip), 5);
    }
  });

  it('counts an IPv6 client by its /64, and an IPv4-mapped address as the IPv4 one', async () => {
    const prefix = `2001:db8:${(++ipSeq).toString(16)}:7`;
    for (const ip of [`${prefix}::1`, `${prefix}:0:0:0:2`, `${prefix}:ffff:ffff:ffff:ffff`, `${prefix.toUpperCase()}::abcd`]) {
      expect((await badLink(ip)).status, ip).toBe(400);
    }
    expect((await badLink(`${prefix}:1::5`)).status).toBe(400);
    expect429(await badLink(`${prefix}::6`), 5);
    expect((await badLink(`2001:db8:${ipSeq.toString(16)}:8::1`)).status).toBe(400);

    const v4 = newIp();
    for (let i = 0; i < 3; i++) expect((await badLink(v4)).status).toBe(400);
    for (let i = 0; i < 2; i++) expect((await badLink(`::ffff:${v4}`)).status).toBe(400);
    expect429(await badLink(v4), 5);
  });
});

describe('failed sign-ins: per account and IP, with a looser ceiling per account', () => {
  it('counts failures on login and verify-mfa against one budget', async () => {
    const victim = await account();
    const ip = newIp();
    expect((await login(victim.email, WRONG, ip)).status).toBe(401);
    expect((await post('/auth/verify-mfa', { email: victim.email, password: WRONG, mfa_code: '123456' }, ip)).status).toBe(401);
    expect429(await login(victim.email, WRONG, ip), 2, 15 * 60);
    expect429(await post('/auth/verify-mfa', { email: victim.email, password: WRONG, mfa_code: '123456' }, ip), 2, 15 * 60);
  });

  it('lets the owner sign in from another address while an attacker is locked out of theirs', async () => {
    const victim = await account();
    const attacker = newIp();
    for (let i = 0; i < 2; i++) expect((await login(victim.email, WRONG, attacker)).status).toBe(401);
    // Refused attempts are not failures: hammering on does not use up the account's ceiling (5).
    for (let i = 0; i < 3; i++) expect429(await login(victim.email, WRONG, attacker), 2, 15 * 60);
    const owner = await login(victim.email, victim.password, newIp());
    expect(owner.status).toBe(200);
    expect(owner.body.access_token).toBeTruthy();
  });

  it('clears an address’s failures when it signs in', async () => {
    const user = await account();
    const ip = newIp();
    expect((await login(user.email, WRONG, ip)).status).toBe(401);
    expect((await login(user.email, user.password, ip)).status).toBe(200);
    expect((await login(user.email, WRONG, ip)).status).toBe(401);
    expect((await login(user.email, WRONG, ip)).status).toBe(401);
    expect429(await login(user.email, user.password, ip), 2, 15 * 60);
  });

  it('stops guessing spread over many addresses at the per-account ceiling', async () => {
    const victim = await account();
    for (const n of [2, 2, 1]) {
      const ip = newIp();
      for (let i = 0; i < n; i++) expect((await login(victim.email, WRONG, ip)).status).toBe(401);
    }
    expect429(await login(victim.email, WRONG, newIp()), 5, 15 * 60);
  });
});

describe('verify-mfa', () => {
  it('answers a right password on an account without MFA exactly like a wrong one', async () => {
    const plain = await account();
    const right = await post('/auth/verify-mfa', { ...plain, mfa_code: '123456' }, newIp());
    const wrong = await post('/auth/verify-mfa', { email: plain.email, password: WRONG, mfa_code: '123456' }, newIp());
    expect(right.status).toBe(401);
    expect({ ...right.body, requestId: undefined }).toEqual({ ...wrong.body, requestId: undefined });
    expect(right.body.code).toBe('invalid_credentials');
  });
});

describe('registration and resend-verification', () => {
  it('allow registration a few times per IP', async () => {
    const ip = newIp();
    for (let i = 0; i < 2; i++) {
      const res = await post('/auth/organization/register', registration(uniqueEmail()), ip);
      expect(res.status).toBe(201);
      expectHeaders(res, 2, 1 - i, 3600);
    }
    expect429(await post('/auth/organization/register', registration(uniqueEmail()), ip), 2, 3600);
    expect((await post('/auth/organization/register', registration(uniqueEmail()), newIp())).status).toBe(201);
  });

  it('limit re-sending the verification mail per account and per IP', async () => {
    const signedIn = async () => {
      const a = await account();
      const res = await login(a.email, a.password, newIp());
      expect(res.status).toBe(200);
      return res.body.access_token as string;
    };
    const resend = (token: string, ip: string) => post('/auth/resend-verification', {}, ip, token);

    const one = await signedIn();
    for (let i = 0; i < 2; i++) expect((await resend(one, newIp())).status).toBe(202);
    expect429(await resend(one, newIp()), 2, 3600);

    const ip = newIp();
    expect((await resend(await signedIn(), ip)).status).toBe(202);
    expect((await resend(await signedIn(), ip)).status).toBe(202);
    expect429(await resend(await signedIn(), ip), 2, 3600);
  });
});

describe('other routes', () => {
  it('use the default limit per IP, also for requests without credentials', async () => {
    const ip = newIp();
    for (let i = 0; i < 4; i++) {
      const res = await t.http.get('/users/me', from(ip));
      expect(res.status).toBe(401);
      expectHeaders(res, 4, 3 - i);
    }
    expect429(await t.http.get('/users/me', from(ip)), 4);
    expect((await t.http.get('/health', from(newIp()))).headers.get('x-ratelimit-limit')).toBe('4');
  });
});

describe('trusted proxies', () => {
  it('refuses TRUST_PROXY=true, which would let any client choose its address', async () => {
    const outcome = await startTestApp({ TRUST_PROXY: 'true' }).then(
      async (started) => {
        await started.close();
        return 'started';
      },
      (err: unknown) => err,
    );
    expect(outcome).toBeInstanceOf(ConfigError);
    expect((outcome as ConfigError).problems).toEqual([expect.stringMatching(/^TRUST_PROXY: .*hop count.*subnet/i)]);
  });

  describe('without a trusted proxy', () => {
    let direct: TestApp;
    beforeAll(async () => {
      direct = await startTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3', TRUST_PROXY: 'false' });
    });
    afterAll(async () => {
      await direct?.close();
    });

    it('ignores X-Forwarded-For, so a client cannot escape its limit by spoofing it', async () => {
      for (let i = 0; i < 3; i++) {
        await direct.http.post('/auth/forgot-password', { email: uniqueEmail() }, from(newIp()));
      }
      expect429(await direct.http.post('/auth/forgot-password', { email: uniqueEmail() }, from(newIp())), 3);
    });
  });

  describe('behind proxies listed by subnet', () => {
    let proxied: TestApp;
    beforeAll(async () => {
      proxied = await startTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3', TRUST_PROXY: '10.0.0.0/8, 127.0.0.0/8, ::1/128' });
    });
    afterAll(async () => {
      await proxied?.close();
    });

    it('takes the client address from X-Forwarded-For', async () => {
      const ip = newIp();
      for (let i = 0; i < 3; i++) {
        expect((await proxied.http.post('/auth/forgot-password', { email: uniqueEmail() }, from(ip))).status).toBe(202);
      }
      expect429(await proxied.http.post('/auth/forgot-password', { email: uniqueEmail() }, from(ip)), 3);
      expect((await proxied.http.post('/auth/forgot-password', { email: uniqueEmail() }, from(newIp()))).status).toBe(202);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueEmail } from '../support/factories.js';
import type { HttpResponse } from '../support/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3', RATE_LIMIT_DEFAULT_PER_MINUTE: '5', TRUST_PROXY: 'loopback' });
});
afterAll(async () => {
  await t?.close();
});

let ipSeq = 0;
/** A client address of its own (the app trusts the loopback proxy, so X-Forwarded-For sets req.ip). */
const newIp = () => `198.51.100.${++ipSeq}`;
const login = (email: string, ip: string) =>
  t.http.post('/auth/login', { email, password: 'Wrong-Password-123' }, { headers: { 'x-forwarded-for': ip } });

function expectHeaders(res: HttpResponse, limit: number, remaining: number) {
  expect(res.headers.get('x-ratelimit-limit')).toBe(String(limit));
  expect(res.headers.get('x-ratelimit-remaining')).toBe(String(remaining));
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  expect(reset).toBeGreaterThan(0);
  expect(reset).toBeLessThanOrEqual(60);
}

function expect429(res: HttpResponse, limit: number) {
  expect(res.status).toBe(429);
  expect(res.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', code: 'rate_limited' });
  expect(res.body.requestId).toBeTruthy();
  expectHeaders(res, limit, 0);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe('auth routes: per IP and per account', () => {
  it('counts down in the headers and answers 429 with Retry-After past the limit', async () => {
    const ip = newIp();
    const email = uniqueEmail();
    for (let i = 0; i < 3; i++) {
      const res = await login(email, ip);
      expect(res.status).toBe(401);
      expectHeaders(res, 3, 2 - i);
    }
    expect429(await login(email, ip), 3);
  });

  it('limits one account across many IPs', async () => {
    const email = uniqueEmail();
    for (let i = 0; i < 3; i++) expect((await login(email, newIp())).status).toBe(401);
    expect429(await login(email, newIp()), 3);
    expect((await login(uniqueEmail(), newIp())).status).toBe(401);
  });

  it('limits one IP across many accounts', async () => {
    const ip = newIp();
    for (let i = 0; i < 3; i++) expect((await login(uniqueEmail(), ip)).status).toBe(401);
    expect429(await login(uniqueEmail(), ip), 3);
    expect((await login(uniqueEmail(), newIp())).status).toBe(401);
  });

  it('covers forgot-password, reset-password, magic links and verify-mfa too', async () => {
    const cases: Array<[string, Record<string, unknown>, number]> = [
      ['/auth/forgot-password', { email: uniqueEmail() }, 202],
      ['/auth/reset-password', { token: 'x'.repeat(43), new_password: 'Whatever-Pass-1' }, 400],
      ['/auth/magic-link', { email: uniqueEmail() }, 202],
      ['/auth/magic-link/verify', { token: 'x'.repeat(43) }, 401],
      ['/auth/verify-mfa', { email: uniqueEmail(), password: 'Wrong-Password-1', mfa_code: '123456' }, 401],
    ];
    for (const [path, body, status] of cases) {
      const ip = newIp();
      for (let i = 0; i < 3; i++) {
        const res = await t.http.post(path, body, { headers: { 'x-forwarded-for': ip } });
        expect(res.status, path).toBe(status);
      }
      expect429(await t.http.post(path, body, { headers: { 'x-forwarded-for': ip } }), 3);
    }
  });
});

describe('other routes', () => {
  it('use the default limit per IP, also for requests without credentials', async () => {
    const ip = newIp();
    for (let i = 0; i < 5; i++) {
      const res = await t.http.get('/users/me', { headers: { 'x-forwarded-for': ip } });
      expect(res.status).toBe(401);
      expectHeaders(res, 5, 4 - i);
    }
    expect429(await t.http.get('/users/me', { headers: { 'x-forwarded-for': ip } }), 5);
    expect((await t.http.get('/health', { headers: { 'x-forwarded-for': newIp() } })).headers.get('x-ratelimit-limit')).toBe('5');
  });
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
    const email = uniqueEmail();
    for (let i = 0; i < 3; i++) {
      await direct.http.post('/auth/forgot-password', { email: uniqueEmail() }, { headers: { 'x-forwarded-for': newIp() } });
    }
    const res = await direct.http.post('/auth/forgot-password', { email }, { headers: { 'x-forwarded-for': newIp() } });
    expect429(res, 3);
  });
});

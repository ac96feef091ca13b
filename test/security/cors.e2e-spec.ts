import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@atrium/platform';
import { startTestApp, type TestApp } from '../support/test-app.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

/** The socket.io handshake's first request (engine.io long-polling open), as a browser sends it from `origin`. */
const pollingOpen = (t: TestApp, origin: string) => fetch(`${t.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });

const preflight = (url: string, origin: string) =>
  fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });

describe('CORS_ORIGINS in production', () => {
  const dirs: string[] = [];
  const productionEnv = () => {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-cors-'));
    dirs.push(dir);
    return {
      NODE_ENV: 'production',
      DATA_DIR: dir,
      JWT_SECRET: 'p'.repeat(40),
      ENCRYPTION_KEY: 'ab'.repeat(32),
      SMTP_URL: 'smtp://mail.example.com:587',
    };
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('refuses to boot without an explicit allowlist, naming CORS_ORIGINS', () => {
    for (const origins of [undefined, '', '*', ' * ']) {
      let error: unknown;
      try {
        loadConfig({ ...productionEnv(), CORS_ORIGINS: origins });
      } catch (e) {
        error = e;
      }
      expect(error, `CORS_ORIGINS=${String(origins)}`).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toMatch(/^CORS_ORIGINS: /m);
    }
  });

  it('refuses an entry that is not an origin, so a typo cannot silently lock the SPA out', () => {
    expect(() => loadConfig({ ...productionEnv(), CORS_ORIGINS: `${APP}/, app.example.com` })).toThrowError(/CORS_ORIGINS/);
  });

  it('boots with an explicit allowlist', () => {
    const config = loadConfig({ ...productionEnv(), CORS_ORIGINS: `${APP}, https://admin.example.com` });
    expect(config.http.corsOrigins).toEqual([APP, 'https://admin.example.com']);
  });
});

describe('CORS with an allowlist', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: APP });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lets an allowlisted origin use HTTP with credentials, and gives another origin no CORS headers at all', async () => {
    const ok = await fetch(`${t.url}/api/v1/health`, { headers: { origin: APP } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const evil = await fetch(`${t.url}/api/v1/health`, { headers: { origin: EVIL } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
    expect(evil.headers.get('access-control-expose-headers')).toBeNull();
  });

  it('applies the same allowlist to the socket.io handshake and its preflight', async () => {
    const ok = await pollingOpen(t, APP);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('"sid"');
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const okPreflight = await preflight(`${t.url}/socket.io/?EIO=4&transport=polling`, APP);
    expect(okPreflight.status).toBe(204);
    expect(okPreflight.headers.get('access-control-allow-origin')).toBe(APP);
    expect(okPreflight.headers.get('access-control-allow-credentials')).toBe('true');

    const evil = await pollingOpen(t, EVIL);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
    const evilPreflight = await preflight(`${t.url}/socket.io/?EIO=4&transport=polling`, EVIL);
    expect(evilPreflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(evilPreflight.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('CORS_ORIGINS=* (development only)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: '*' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lets any origin read HTTP answers, but never with credentials', async () => {
    const res = await fetch(`${t.url}/api/v1/health`, { headers: { origin: EVIL } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
    const pre = await preflight(`${t.url}/api/v1/auth/login`, EVIL);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('never combines any origin with credentials on the socket.io handshake', async () => {
    const res = await pollingOpen(t, EVIL);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    const pre = await preflight(`${t.url}/socket.io/?EIO=4&transport=polling`, EVIL);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { outboxEvents } from '../support/outbox.js';
import { addMember, db, sessionIdOf } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  // The loopback proxy is trusted, so a test picks its client address with X-Forwarded-For.
  t = await startTestApp({ TRUST_PROXY: 'loopback' });
});
afterAll(async () => {
  await t?.close();
});

const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const FIREFOX_WIN = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0';

async function signIn(email: string, password: string, userAgent: string) {
  const res = await t.http.post('/auth/login', { email, password }, { headers: { 'user-agent': userAgent } });
  expect(res.status).toBe(200);
  return res.body as { access_token: string; refresh_token: string };
}

describe('GET /auth/sessions', () => {
  it('lists your open sessions with device, ip and times, marking the current one', async () => {
    const org = await registerOrg(t.http);
    const laptop = await signIn(org.email, org.password, CHROME_MAC);
    await signIn(org.email, org.password, FIREFOX_WIN);
    await t.http.post('/auth/logout', {}, { token: org.accessToken });

    const res = await t.http.get('/auth/sessions', { token: laptop.access_token, headers: { 'user-agent': CHROME_MAC } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 2, page: 1, limit: 10, totalPages: 1 });
    const devices = res.body.data.map((s: { device: string }) => s.device).sort();
    expect(devices).toEqual(['Chrome on macOS', 'Firefox on Windows']);
    const current = res.body.data.filter((s: { current: boolean }) => s.current);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({ device: 'Chrome on macOS', user_agent: CHROME_MAC, organization_id: org.organizationId });
    expect(current[0].ip).toMatch(/127\.0\.0\.1/);
    for (const s of res.body.data) {
      expect(Object.keys(s).sort()).toEqual([
        'created_at',
        'current',
        'device',
        'expires_at',
        'id',
        'ip',
        'last_used_at',
        'organization_id',
        'user_agent',
      ]);
    }
    expect(JSON.stringify(res.body)).not.toContain(laptop.refresh_token);
  });

  it('shows only your own sessions and needs a session', async () => {
    const a = await registerOrg(t.http);
    const b = await registerOrg(t.http);
    const res = await t.http.get('/auth/sessions', { token: a.accessToken });
    expect(res.body.total).toBe(1);
    const [row] = await db(t).query('SELECT id FROM sessions WHERE user_id = $1', [b.userId]);
    expect(res.body.data.map((s: { id: string }) => s.id)).not.toContain(row.id);
    expect((await t.http.get('/auth/sessions')).status).toBe(401);
    expect((await t.http.get('/auth/sessions?limit=1000', { token: a.accessToken })).status).toBe(400);
  });
});

describe('DELETE /auth/sessions/:id', () => {
  it('ends another of your sessions; its access and refresh tokens fail at once', async () => {
    const org = await registerOrg(t.http);
    const phone = await signIn(org.email, org.password, FIREFOX_WIN);
    const list = await t.http.get('/auth/sessions', { token: org.accessToken });
    const target = list.body.data.find((s: { current: boolean }) => !s.current);
    expect((await t.http.get('/users/me', { token: phone.access_token })).status).toBe(200);

    const res = await t.http.delete(`/auth/sessions/${target.id}`, undefined, { token: org.accessToken });
    expect(res.status).toBe(204);
    const after = await t.http.get('/users/me', { token: phone.access_token });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('session_revoked');
    expect((await t.http.post('/auth/refresh', { refresh_token: phone.refresh_token })).status).toBe(401);
    expect((await t.http.get('/users/me', { token: org.accessToken })).status).toBe(200);
    expect((await t.http.get('/auth/sessions', { token: org.accessToken })).body.total).toBe(1);

    const again = await t.http.delete(`/auth/sessions/${target.id}`, undefined, { token: org.accessToken });
    expect(again.status).toBe(404);
  });

  it('answers 404 for someone else’s session and for ids that are not sessions, changing nothing', async () => {
    const a = await registerOrg(t.http);
    const b = await registerOrg(t.http);
    const [row] = await db(t).query('SELECT id FROM sessions WHERE user_id = $1', [b.userId]);
    const res = await t.http.delete(`/auth/sessions/${row.id}`, undefined, { token: a.accessToken });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('session_not_found');
    expect((await t.http.get('/users/me', { token: b.accessToken })).status).toBe(200);
    expect((await t.http.delete('/auth/sessions/not-a-uuid', undefined, { token: a.accessToken })).status).toBe(404);
  });

  it('can end the current session too', async () => {
    const org = await registerOrg(t.http);
    const list = await t.http.get('/auth/sessions', { token: org.accessToken });
    const res = await t.http.delete(`/auth/sessions/${list.body.data[0].id}`, undefined, { token: org.accessToken });
    expect(res.status).toBe(204);
    expect((await t.http.get('/users/me', { token: org.accessToken })).status).toBe(401);
  });
});

describe('a sign-in from a new device or address (session.new_sign_in)', () => {
  const FIREFOX_WIN_UPDATED = FIREFOX_WIN.replace(/127\.0/g, '128.0');
  const alerts = (userId: string) => outboxEvents(t, 'session.new_sign_in', 'user_id', userId);
  /** Signs in with the test client's own user agent from 127.0.0.1, unless `headers` say otherwise. */
  const login = (org: RegisteredOrg, headers: Record<string, string> = {}, password = org.password) =>
    t.http.post('/auth/login', { email: org.email, password }, { headers });

  it('records the first sign-in after registration as hashes and announces nothing, nor the same device and address again', async () => {
    const org = await registerOrg(t.http);
    expect(await alerts(org.userId)).toEqual([]);
    const seen: Array<{ kind: string; fingerprint: Buffer }> = await db(t).query(
      'SELECT kind, fingerprint FROM known_sign_ins WHERE user_id = $1 ORDER BY kind',
      [org.userId],
    );
    expect(seen.map((r) => r.kind)).toEqual(['device', 'ip']);
    for (const { fingerprint } of seen) {
      expect(fingerprint).toHaveLength(32);
      expect(fingerprint.toString('latin1')).not.toMatch(/127\.0\.0\.1|node/i);
    }
    expect((await login(org)).status).toBe(200);
    expect(await alerts(org.userId)).toEqual([]);
  });

  it('announces a new device once, naming it with the address and the session; a browser update is the same device', async () => {
    const org = await registerOrg(t.http);
    const res = await login(org, { 'user-agent': FIREFOX_WIN });
    expect(res.status).toBe(200);
    expect(await alerts(org.userId)).toEqual([
      {
        organization_id: null,
        actor_id: org.userId,
        payload: {
          user_id: org.userId,
          session_id: sessionIdOf(res.body.access_token),
          ip: expect.stringMatching(/127\.0\.0\.1$/),
          device: 'Firefox on Windows',
        },
      },
    ]);
    expect((await login(org, { 'user-agent': FIREFOX_WIN })).status).toBe(200);
    expect((await login(org, { 'user-agent': FIREFOX_WIN_UPDATED })).status).toBe(200);
    expect(await alerts(org.userId)).toHaveLength(1);
  });

  it('announces a new address (X-Forwarded-For behind the trusted proxy) from a known device', async () => {
    const org = await registerOrg(t.http);
    const res = await login(org, { 'x-forwarded-for': '203.0.113.41' });
    expect(res.status).toBe(200);
    const [alert, ...more] = await alerts(org.userId);
    expect(more).toEqual([]);
    expect(alert.payload).toEqual({
      user_id: org.userId,
      session_id: sessionIdOf(res.body.access_token),
      ip: '203.0.113.41',
      device: 'Node.js',
    });
    expect((await login(org, { 'x-forwarded-for': '203.0.113.41' })).status).toBe(200);
    expect(await alerts(org.userId)).toHaveLength(1);
  });

  it('a refresh or an organization switch from another device and address is no sign-in, and neither is a failed one', async () => {
    const org = await registerOrg(t.http);
    const other = await registerOrg(t.http);
    await addMember(t, other.organizationId, 'member', org);
    const elsewhere = { 'user-agent': CHROME_MAC, 'x-forwarded-for': '198.51.100.77' };
    const refreshed = await t.http.post('/auth/refresh', { refresh_token: org.refreshToken }, { headers: elsewhere });
    expect(refreshed.status).toBe(200);
    const switched = await t.http.put(
      '/organizations/switch',
      { organization_id: other.organizationId },
      { token: refreshed.body.access_token, headers: elsewhere },
    );
    expect(switched.status).toBe(200);
    expect((await login(org, elsewhere, 'Wrong-Password-123')).status).toBe(401);
    expect(await alerts(org.userId)).toEqual([]);
    // Neither made that device or address known: the first real sign-in from there is announced.
    expect((await login(org, elsewhere)).status).toBe(200);
    expect((await alerts(org.userId)).map((a) => a.payload.ip)).toEqual(['198.51.100.77']);
  });

  it('concurrent sign-ins from one new device all succeed and announce it once', async () => {
    const org = await registerOrg(t.http);
    const results = await Promise.all([1, 2, 3, 4].map(() => login(org, { 'user-agent': CHROME_MAC })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await alerts(org.userId)).map((a) => a.payload.device)).toEqual(['Chrome on macOS']);
  });
});

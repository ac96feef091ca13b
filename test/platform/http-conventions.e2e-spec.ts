import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ CORS_ORIGINS: 'https://app.example.com' });
});
afterAll(async () => {
  await t?.close();
});

describe('HTTP conventions', () => {
  it('gives every response a request id, echoing a sane incoming one', async () => {
    const own = await t.http.get('/health', { headers: { 'x-request-id': 'trace-12345678' } });
    expect(own.headers.get('x-request-id')).toBe('trace-12345678');
    const generated = await t.http.get('/users/me');
    const id = generated.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.body.requestId).toBe(id);
    const hostile = await t.http.get('/health', { headers: { 'x-request-id': 'bad id; drop table' } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers and allows only configured origins', async () => {
    const res = await fetch(`${t.url}/api/v1/health`, { headers: { origin: 'https://app.example.com' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(res.headers.get('vary')).toContain('Origin');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const evil = await fetch(`${t.url}/api/v1/health`, { headers: { origin: 'https://evil.example.net' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('answers CORS preflights for allowed origins only, echoing the requested headers', async () => {
    const preflight = (origin: string) =>
      fetch(`${t.url}/api/v1/users/me`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization,content-type' },
      });
    const ok = await preflight('https://app.example.com');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(ok.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(ok.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const evil = await preflight('https://evil.example.net');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('gives the Swagger UI a document policy its scripts can run under', async () => {
    const ui = await fetch(`${t.url}/api/docs`);
    expect(ui.headers.get('content-security-policy')).toContain("script-src 'self' 'unsafe-inline'");
    expect(ui.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('answers unknown routes with the error body', async () => {
    const res = await t.http.get('/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('serves the Swagger UI and an OpenAPI document with both auth schemes', async () => {
    const ui = await fetch(`${t.url}/api/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
    const doc = await (await fetch(`${t.url}/api/docs-json`)).json();
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['api-key', 'bearer']);
    expect(doc.paths['/api/v1/auth/login'].post).toBeTruthy();
    expect(doc.components.schemas.RegisterOrganizationDto.properties.organization_name).toBeTruthy();
  });

  it('answers 404 when X-Organization-Id names an organization the caller is not in', async () => {
    const mine = await registerOrg(t.http);
    const other = await registerOrg(t.http);
    const res = await t.http.get('/users/me', { token: mine.accessToken, organizationId: other.organizationId });
    expect(res.status).toBe(404);
    const garbage = await t.http.get('/users/me', { token: mine.accessToken, organizationId: 'nope' });
    expect(garbage.status).toBe(404);
    expect((await t.http.get('/users/me', { token: mine.accessToken, organizationId: mine.organizationId })).status).toBe(200);
  });

  it('applies a removed membership on the very next request', async () => {
    const org = await registerOrg(t.http);
    expect((await t.http.get('/users/me', { token: org.accessToken })).status).toBe(200);
    await t.db.query(`UPDATE memberships SET status = 'revoked' WHERE user_id = $1`, [org.userId]);
    const res = await t.http.get('/users/me', { token: org.accessToken });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('membership_revoked');
  });

  it('never leaks internals in a 500', async () => {
    const org = await registerOrg(t.http);
    // Break only this instance's TypeORM pool (never the shared schema: other spec files run in parallel). The
    // credential check runs on the separate statement pool and passes; reading the organization then fails.
    const ds = t.app.get(DataSource);
    await ds.destroy();
    try {
      const res = await t.http.get('/organizations/me', { token: org.accessToken });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        statusCode: 500,
        message: 'Internal server error',
        error: 'Internal Server Error',
        code: 'internal_error',
        requestId: expect.any(String),
      });
    } finally {
      await ds.initialize();
    }
  });
});

describe('GET /health', () => {
  it('reports the database and the queue', async () => {
    const res = await t.http.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: { status: 'up' }, queue: { status: 'up' } });
    expect(['postgres', 'redis']).toContain(res.body.queue.backend);
  });
});

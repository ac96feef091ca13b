import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let org: RegisteredOrg;
beforeAll(async () => {
  t = await startTestApp();
  org = await registerOrg(t.http);
});
afterAll(async () => {
  await t?.close();
});

describe('?page', () => {
  it.each(['/roles', '/users', '/invitations', '/api-keys', '/auth/sessions'])(
    'answers 400 naming page beyond 10,000,000 on %s',
    async (path) => {
      for (const page of ['1e20', '10000001']) {
        const res = await t.http.get(`${path}?page=${page}`, { token: org.accessToken });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'validation_failed', details: [{ field: 'page' }] });
        expect(res.body.message).toContain('10000000');
      }
    },
  );

  it('serves the last allowed page (empty) and the first one', async () => {
    const far = await t.http.get('/roles?page=10000000&limit=100', { token: org.accessToken });
    expect(far.status).toBe(200);
    expect(far.body).toMatchObject({ data: [], page: 10000000, limit: 100, total: 4 });
    const first = await t.http.get('/roles?page=1', { token: org.accessToken });
    expect(first.body).toMatchObject({ page: 1, total: 4 });
    expect(first.body.data).toHaveLength(4);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, STRONG_PASSWORD, uniqueEmail } from '../support/factories.js';
import { outboxEvents } from '../support/outbox.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('POST /auth/organization/register', () => {
  it('creates the organization and its owner and answers the contract body', async () => {
    const email = uniqueEmail();
    const res = await t.http.post('/auth/organization/register', {
      organization_name: 'Acme Corp',
      organization_email: 'contact@acme.test',
      first_name: 'John',
      last_name: 'Doe',
      email: email.toUpperCase(),
      password: STRONG_PASSWORD,
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['message', 'organization_id', 'user_id']);
    expect(res.body.message).toBe('Organization registered successfully');

    const login = await t.http.post('/auth/login', { email, password: STRONG_PASSWORD });
    expect(login.status).toBe(200);
    expect(Object.keys(login.body).sort()).toEqual(['access_token', 'organization', 'refresh_token', 'user']);
    expect(login.body.user).toMatchObject({ id: res.body.user_id, email, first_name: 'John', last_name: 'Doe' });
    expect(login.body.organization).toMatchObject({ id: res.body.organization_id, name: 'Acme Corp', role: { slug: 'owner' } });
    expect(login.body.organization.permissions).toContain('users.view');
    expect(JSON.stringify(login.body)).not.toMatch(/password/i);
  });

  it('answers a taken email (whatever its case) like a new one, creating nothing and mailing its holder once an hour', async () => {
    const org = await registerOrg(t.http);
    const attempt = () =>
      t.http.post('/auth/organization/register', {
        organization_name: 'Other',
        first_name: 'A',
        last_name: 'B',
        email: org.email.toUpperCase(),
        password: STRONG_PASSWORD,
      });
    const [first, second] = [await attempt(), await attempt()];
    for (const res of [first, second]) {
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        message: 'Organization registered successfully',
        user_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        organization_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
    }
    const sql = t.db;
    const [{ users, orgs, accounts }] = await sql.query(
      `SELECT (SELECT count(*)::int FROM users WHERE id = ANY($1)) AS users,
              (SELECT count(*)::int FROM organizations WHERE id = ANY($2) OR name = 'Other') AS orgs,
              (SELECT count(*)::int FROM users WHERE lower(email) = lower($3)) AS accounts`,
      [[first.body.user_id, second.body.user_id], [first.body.organization_id, second.body.organization_id], org.email],
    );
    expect({ users, orgs, accounts }).toEqual({ users: 0, orgs: 0, accounts: 1 });
    const [{ mails }] = await sql.query(`SELECT count(*)::int AS mails FROM mail_deliveries WHERE idempotency_key LIKE $1`, [
      `registration-attempt:${org.userId}:%`,
    ]);
    expect(mails).toBe(1);
  });

  it('refuses a short password and a common one, naming the rule', async () => {
    const base = { organization_name: 'Weak Co', first_name: 'W', last_name: 'P' };
    const short = await t.http.post('/auth/organization/register', { ...base, email: uniqueEmail(), password: 'Ab1!' });
    expect(short.status).toBe(400);
    expect(short.body.message).toMatch(/at least 8 characters/);
    const common = await t.http.post('/auth/organization/register', { ...base, email: uniqueEmail(), password: 'Password123' });
    expect(common.status).toBe(400);
    expect(common.body.code).toBe('weak_password');
    expect(common.body.message).toMatch(/too common/);
  });

  it('names every invalid field at once and creates nothing', async () => {
    const email = uniqueEmail();
    const res = await t.http.post('/auth/organization/register', { email: 'not-an-email', password: 5, extra: true });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    const fields = (res.body.details as Array<{ field: string }>).map((d) => d.field).sort();
    expect(fields).toEqual(['email', 'extra', 'first_name', 'last_name', 'organization_name', 'password']);
    expect(res.body.requestId).toBeTruthy();
    const login = await t.http.post('/auth/login', { email, password: STRONG_PASSWORD });
    expect(login.status).toBe(401);
  });

  it('answers malformed JSON with a 400 and an oversized body with a 413', async () => {
    const bad = await t.http.request('POST', '/auth/login', '{"email":', { headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('malformed_json');
    const huge = await t.http.post('/auth/login', { email: 'a@b.co', password: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(413);
  });
});

describe('POST /auth/login', () => {
  it('gives the same 401 body for an unknown email and a wrong password', async () => {
    const org = await registerOrg(t.http);
    const wrong = await t.http.post('/auth/login', { email: org.email, password: 'Not-The-Password-1' });
    const unknown = await t.http.post('/auth/login', { email: uniqueEmail(), password: 'Not-The-Password-1' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    expect(wrong.body).toMatchObject({ code: 'invalid_credentials', message: 'Invalid email or password' });
  });

  it('answers 404 for an organization the user does not belong to', async () => {
    const a = await registerOrg(t.http);
    const b = await registerOrg(t.http);
    const res = await t.http.post('/auth/login', { email: a.email, password: a.password, organization_id: b.organizationId });
    expect(res.status).toBe(404);
  });
});

describe('access and refresh tokens', () => {
  it('runs register → login → me → refresh → logout', async () => {
    const org = await registerOrg(t.http);
    const me = await t.http.get('/users/me', { token: org.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ id: org.userId, email: org.email });

    const refreshed = await t.http.post('/auth/refresh', { refresh_token: org.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(org.refreshToken);
    expect((await t.http.get('/users/me', { token: refreshed.body.access_token })).status).toBe(200);

    const out = await t.http.post('/auth/logout', {}, { token: refreshed.body.access_token });
    expect(out.status).toBe(204);
    const after = await t.http.get('/users/me', { token: refreshed.body.access_token });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('session_revoked');
    expect((await t.http.post('/auth/refresh', { refresh_token: refreshed.body.refresh_token })).status).toBe(401);
  });

  it('revokes the whole family when a rotated refresh token is reused', async () => {
    const org = await registerOrg(t.http);
    const first = await t.http.post('/auth/refresh', { refresh_token: org.refreshToken });
    expect(first.status).toBe(200);
    const replay = await t.http.post('/auth/refresh', { refresh_token: org.refreshToken });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('refresh_token_reused');
    const newest = await t.http.post('/auth/refresh', { refresh_token: first.body.refresh_token });
    expect(newest.status).toBe(401);
    expect((await t.http.get('/users/me', { token: first.body.access_token })).status).toBe(401);
  });

  it('refuses missing, malformed, tampered and wrong-algorithm tokens', async () => {
    const org = await registerOrg(t.http);
    expect((await t.http.get('/users/me')).status).toBe(401);
    expect((await t.http.get('/users/me', { token: 'garbage' })).status).toBe(401);
    const [h, p, s] = org.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: '00000000-0000-0000-0000-000000000000' })).toString('base64url')}.${s}`;
    expect((await t.http.get('/users/me', { token: forged })).status).toBe(401);
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    expect((await t.http.get('/users/me', { token: none })).status).toBe(401);
    expect((await t.http.post('/auth/refresh', { refresh_token: 'short' })).status).toBe(401);
  });
});

describe('/users/me', () => {
  it('updates the profile and rejects bad fields', async () => {
    const org = await registerOrg(t.http);
    const ok = await t.http.put('/users/me', { first_name: 'Ada', phone: '+14155550123' }, { token: org.accessToken });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toMatchObject({ first_name: 'Ada', phone: '+14155550123', last_name: 'Owner' });
    const bad = await t.http.put('/users/me', { phone: '12', avatar_url: 'nope', email: 'x@y.z' }, { token: org.accessToken });
    expect(bad.status).toBe(400);
    expect((bad.body.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual(['avatar_url', 'email', 'phone']);
    const blank = await t.http.put('/users/me', { first_name: '   ' }, { token: org.accessToken });
    expect(blank.status).toBe(400);
    expect((blank.body.details as Array<{ field: string }>).map((d) => d.field)).toEqual(['first_name']);
    const padded = await t.http.put('/users/me', { last_name: '  Lovelace ' }, { token: org.accessToken });
    expect(padded.body.data.last_name).toBe('Lovelace');
    const me = await t.http.get('/users/me', { token: org.accessToken });
    expect(me.body.data.first_name).toBe('Ada');
    // GET answers from the credential check's row (timestamps written by SQL), PUT from the saved entity (Dates):
    // both write them as Date#toISOString does, to the millisecond, so a client sees one format.
    const [row] = await t.db.query<{ created_at: Date; updated_at: Date }[]>('SELECT created_at, updated_at FROM users WHERE id = $1', [
      org.userId,
    ]);
    expect(me.body.data).toMatchObject({ created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString() });
    expect(padded.body.data).toMatchObject({ created_at: me.body.data.created_at, updated_at: me.body.data.updated_at });
  });

  it('changes the password with the current one and ends the other sessions', async () => {
    const org = await registerOrg(t.http);
    const other = await t.http.post('/auth/login', { email: org.email, password: org.password });
    const wrong = await t.http.put(
      '/users/me/change-password',
      { current_password: 'nope-nope-nope', new_password: 'Fresh-Meadow-77' },
      { token: org.accessToken },
    );
    expect(wrong.status).toBe(400);
    const announced = () => outboxEvents(t, 'account.password_changed', 'user_id', org.userId);
    expect(await announced()).toEqual([]);
    const ok = await t.http.put(
      '/users/me/change-password',
      { current_password: org.password, new_password: 'Fresh-Meadow-77' },
      { token: org.accessToken },
    );
    expect(ok.status).toBe(204);
    // For the security notification: an account event (no organization), by the user.
    expect(await announced()).toEqual([{ organization_id: null, actor_id: org.userId, payload: { user_id: org.userId, via: 'change' } }]);
    expect((await t.http.get('/users/me', { token: org.accessToken })).status).toBe(200);
    expect((await t.http.get('/users/me', { token: other.body.access_token })).status).toBe(401);
    expect((await t.http.post('/auth/login', { email: org.email, password: org.password })).status).toBe(401);
    expect((await t.http.post('/auth/login', { email: org.email, password: 'Fresh-Meadow-77' })).status).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { Mailbox } from '../support/mailbox.js';
import { createMember, invitationToken, markEmailVerified, type Member, signIn, uniqueEmail } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let mailbox: Mailbox;

/** Another organization's member, custom role and invitation: what organization A must not reach. */
let a: RegisteredOrg;
let b: RegisteredOrg;
let bMember: Member;
let bRoleId: string;
let bInvitationId: string;

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  t = await startTestApp({ SMTP_URL: mailbox.url });
  a = await registerOrg(t.http, { organization_name: 'Alpha' });
  b = await registerOrg(t.http, { organization_name: 'Bravo' });
  bMember = await createMember(t, b, 'member');
  bRoleId = (await t.http.post('/roles', { name: 'Bravo role', permissions: ['users.view'] }, { token: b.accessToken })).body.data.id;
  bInvitationId = (await t.http.post('/invitations', { email: uniqueEmail() }, { token: b.accessToken })).body.data.id;
});
afterAll(async () => {
  await t?.close();
  await mailbox?.stop();
});

describe("another organization's ids answer 404", () => {
  const expect404 = async (method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown) => {
    const res = await t.http.request(method, path, body, { token: a.accessToken });
    expect(res.status, `${method} ${path}`).toBe(404);
  };

  it('for users: read, update, revoke and delete', async () => {
    await expect404('GET', `/users/${bMember.userId}`);
    await expect404('PUT', `/users/${bMember.userId}`, { role: 'admin' });
    await expect404('POST', `/users/${bMember.userId}/revoke`, { reason: 'hostile' });
    await expect404('DELETE', `/users/${bMember.userId}`);
    const list = await t.http.get('/users?status=all', { token: a.accessToken });
    expect(list.body.data.map((u: any) => u.id)).toEqual([a.userId]);
    expect((await t.http.get(`/users/${bMember.userId}`, { token: b.accessToken })).body.data.membership.status).toBe('active');
  });

  it('for roles: read, update and delete, and as a role to grant', async () => {
    await expect404('GET', `/roles/${bRoleId}`);
    await expect404('PUT', `/roles/${bRoleId}`, { name: 'Stolen' });
    await expect404('DELETE', `/roles/${bRoleId}`);
    const usage = await t.http.get('/roles/usage-counts', { token: a.accessToken });
    expect(usage.body.data.map((r: any) => r.role_id)).not.toContain(bRoleId);
    await expect404('POST', '/users', { email: uniqueEmail(), password: 'Lantern-Harbor-42!', role: bRoleId });
    await expect404('POST', '/invitations', { email: uniqueEmail(), role_id: bRoleId });
    expect((await t.http.get(`/roles/${bRoleId}`, { token: b.accessToken })).body.data.name).toBe('Bravo role');
  });

  it('for invitations: read, resend and delete', async () => {
    await expect404('GET', `/invitations/${bInvitationId}`);
    await expect404('POST', `/invitations/resend/${bInvitationId}`);
    await expect404('DELETE', `/invitations/${bInvitationId}`);
    expect((await t.http.get('/invitations', { token: a.accessToken })).body.total).toBe(0);
    expect((await t.http.get(`/invitations/${bInvitationId}`, { token: b.accessToken })).status).toBe(200);
  });
});

describe('a user who belongs to two organizations', () => {
  let both: RegisteredOrg;

  beforeAll(async () => {
    both = await registerOrg(t.http, { organization_name: 'Home' });
    await t.http.post(
      '/invitations',
      {
        email: both.email,
        role_id: (await t.http.get('/roles', { token: a.accessToken })).body.data.find((r: any) => r.slug === 'manager').id,
      },
      { token: a.accessToken },
    );
    const token = invitationToken(await mailbox.waitFor(both.email, /Join Alpha/));
    await markEmailVerified(t, both.userId);
    expect((await t.http.post(`/invitations/accept/${token}`, {}, { token: both.accessToken })).status).toBe(201);
  });

  const orgOf = async (token: string, organizationId?: string) =>
    (await t.http.get('/organizations/me', { token, organizationId })).body.data?.name;
  const memberIds = async (token: string, organizationId?: string) =>
    (await t.http.get('/users', { token, organizationId })).body.data.map((u: any) => u.id).sort();

  it('sees each organization only in its own context: sign-in with organization_id', async () => {
    const inAlpha = await signIn(t, both.email, both.password, a.organizationId);
    expect(await orgOf(inAlpha.accessToken)).toBe('Alpha');
    expect(await memberIds(inAlpha.accessToken)).toEqual([a.userId, both.userId].sort());
    expect((await t.http.get('/roles', { token: inAlpha.accessToken })).body.data.map((r: any) => r.id)).not.toContain(bRoleId);
    const inHome = await signIn(t, both.email, both.password, both.organizationId);
    expect(await orgOf(inHome.accessToken)).toBe('Home');
    expect(await memberIds(inHome.accessToken)).toEqual([both.userId]);
    // Manager in Alpha, owner at home: the permissions follow the context.
    expect((await t.http.post('/roles', { name: 'Home role', permissions: [] }, { token: inAlpha.accessToken })).status).toBe(403);
    expect((await t.http.post('/roles', { name: 'Home role', permissions: [] }, { token: inHome.accessToken })).status).toBe(201);
  });

  it('per request with X-Organization-Id, only for its own organizations', async () => {
    const home = await signIn(t, both.email, both.password, both.organizationId);
    expect(await orgOf(home.accessToken, a.organizationId)).toBe('Alpha');
    expect(await memberIds(home.accessToken, a.organizationId)).toEqual([a.userId, both.userId].sort());
    expect(await orgOf(home.accessToken)).toBe('Home');
    const foreign = await t.http.get('/organizations/me', { token: home.accessToken, organizationId: b.organizationId });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('organization_not_found');
  });

  it('with PUT /organizations/switch: new tokens for the other organization, the old ones end', async () => {
    const home = await signIn(t, both.email, both.password, both.organizationId);
    const res = await t.http.put('/organizations/switch', { organization_id: a.organizationId }, { token: home.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      user: { id: both.userId },
      organization: { id: a.organizationId, name: 'Alpha', role: { slug: 'manager' } },
    });
    expect(await orgOf(res.body.access_token)).toBe('Alpha');
    expect((await t.http.get('/organizations/me', { token: home.accessToken })).status).toBe(401);
    expect((await t.http.post('/auth/refresh', { refresh_token: home.refreshToken })).status).toBe(401);
    const refreshed = await t.http.post('/auth/refresh', { refresh_token: res.body.refresh_token });
    expect(await orgOf(refreshed.body.access_token)).toBe('Alpha');
    const orgs = await t.http.get('/organizations', { token: refreshed.body.access_token });
    expect(orgs.body.data.find((o: any) => o.current).name).toBe('Alpha');
  });

  it('switch answers 404 for an organization it does not belong to, 400 for a bad id, 403 for an API key', async () => {
    const home = await signIn(t, both.email, both.password, both.organizationId);
    const foreign = await t.http.put('/organizations/switch', { organization_id: b.organizationId }, { token: home.accessToken });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('organization_not_found');
    expect((await t.http.put('/organizations/switch', { organization_id: 'alpha' }, { token: home.accessToken })).status).toBe(400);
    expect((await t.http.put('/organizations/switch', {}, { token: home.accessToken })).status).toBe(400);
    expect(await orgOf(home.accessToken)).toBe('Home');
    const key = (await t.http.post('/api-keys', { name: 'k' }, { token: home.accessToken })).body.data.key;
    expect((await t.http.put('/organizations/switch', { organization_id: a.organizationId }, { apiKey: key })).body.code).toBe(
      'user_session_required',
    );
  });

  it('loses one organization when revoked there and keeps the other', async () => {
    const dual = await registerOrg(t.http, { organization_name: 'Dual home' });
    await t.http.post('/invitations', { email: dual.email }, { token: a.accessToken });
    const token = invitationToken(await mailbox.waitFor(dual.email, /Join Alpha/));
    await markEmailVerified(t, dual.userId);
    await t.http.post(`/invitations/accept/${token}`, {}, { token: dual.accessToken });
    const inAlpha = await signIn(t, dual.email, dual.password, a.organizationId);
    expect(await orgOf(inAlpha.accessToken)).toBe('Alpha');

    await t.http.post(`/users/${dual.userId}/revoke`, { reason: 'contract ended' }, { token: a.accessToken });
    expect((await t.http.get('/organizations/me', { token: inAlpha.accessToken })).status).toBe(401);
    const header = await t.http.get('/organizations/me', { token: dual.accessToken, organizationId: a.organizationId });
    expect(header.status).toBe(404);
    expect(await orgOf(dual.accessToken)).toBe('Dual home');
    const orgs = await t.http.get('/organizations', { token: dual.accessToken });
    expect(orgs.body.data.map((o: any) => o.name)).toEqual(['Dual home']);
    expect(
      (await t.http.post('/auth/login', { email: dual.email, password: dual.password, organization_id: a.organizationId })).status,
    ).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg } from '../support/factories.js';
import { Mailbox } from '../support/mailbox.js';
import { outboxEvents } from '../support/outbox.js';
import { createMember, dataSource, markEmailVerified, STRONG_PASSWORD, uniqueEmail } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let mailbox: Mailbox;

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  t = await startTestApp({ SMTP_URL: mailbox.url });
});
afterAll(async () => {
  await t?.close();
  await mailbox?.stop();
});

const GHOST = '00000000-0000-4000-8000-000000000000';

describe('GET /users', () => {
  it('lists members with their role, paginated and searchable by name or email, case-insensitively', async () => {
    const org = await registerOrg(t.http);
    const zed = await createMember(t, org, 'manager', { first_name: 'Zed', last_name: 'Quartz' });
    await createMember(t, org, 'member', { first_name: 'Amy', last_name: 'Stone' });

    const all = await t.http.get('/users?limit=2', { token: org.accessToken });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 3, page: 1, limit: 2, totalPages: 2 });
    expect(all.body.data[0]).toMatchObject({
      id: org.userId,
      organization_id: org.organizationId,
      role: { slug: 'owner' },
      membership: { status: 'active' },
    });
    expect(JSON.stringify(all.body)).not.toMatch(/password|hash/i);
    expect(all.body.data[1]).toMatchObject({ id: zed.userId, first_name: 'Zed', role: { slug: 'manager' } });
    const second = await t.http.get('/users?limit=2&page=2', { token: org.accessToken });
    expect(second.body).toMatchObject({ total: 3, page: 2, totalPages: 2, data: [expect.objectContaining({ first_name: 'Amy' })] });
    const beyond = await t.http.get('/users?limit=2&page=9', { token: org.accessToken });
    expect(beyond.body).toMatchObject({ data: [], total: 3, page: 9, totalPages: 2 });

    const byName = await t.http.get('/users?search=zED', { token: org.accessToken });
    expect(byName.body.data.map((u: any) => u.id)).toEqual([zed.userId]);
    expect(byName.body.data[0].role.slug).toBe('manager');
    const byFullName = await t.http.get(`/users?search=${encodeURIComponent('zed quartz')}`, { token: org.accessToken });
    expect(byFullName.body.total).toBe(1);
    const byEmail = await t.http.get(`/users?search=${encodeURIComponent(zed.email.toUpperCase())}`, { token: org.accessToken });
    expect(byEmail.body.total).toBe(1);
    const wildcard = await t.http.get('/users?search=%25', { token: org.accessToken });
    expect(wildcard.body.total).toBe(0);
  });

  it('lists revoked members on request, and refuses bad query parameters', async () => {
    const org = await registerOrg(t.http);
    const gone = await createMember(t, org, 'member');
    await t.http.post(`/users/${gone.userId}/revoke`, { reason: 'moved on' }, { token: org.accessToken });
    expect((await t.http.get('/users', { token: org.accessToken })).body.total).toBe(1);
    const revoked = await t.http.get('/users?status=revoked', { token: org.accessToken });
    expect(revoked.body.data).toEqual([
      expect.objectContaining({ id: gone.userId, membership: expect.objectContaining({ revoke_reason: 'moved on' }) }),
    ]);
    expect((await t.http.get('/users?status=all', { token: org.accessToken })).body.total).toBe(2);
    for (const q of ['limit=0', 'limit=101', 'page=0', 'status=banned', 'sort=name', `search=${'x'.repeat(101)}`]) {
      expect((await t.http.get(`/users?${q}`, { token: org.accessToken })).status, q).toBe(400);
    }
  });
});

describe('GET /users/:id', () => {
  it('answers a member and 404 for anyone else', async () => {
    const org = await registerOrg(t.http);
    const stranger = await registerOrg(t.http);
    expect((await t.http.get(`/users/${org.userId}`, { token: org.accessToken })).body.data.email).toBe(org.email);
    for (const id of [stranger.userId, GHOST, 'not-a-uuid']) {
      const res = await t.http.get(`/users/${id}`, { token: org.accessToken });
      expect(res.status, id).toBe(404);
      expect(res.body.code).toBe('user_not_found');
    }
  });

  it('leaves /users/me to the signed-in user', async () => {
    const org = await registerOrg(t.http);
    const me = await t.http.get('/users/me', { token: org.accessToken });
    expect(me.body.data).toMatchObject({ id: org.userId });
    expect(me.body.data.role).toBeUndefined();
  });
});

describe('POST /users', () => {
  it('creates an account and membership; the new user signs in with the password', async () => {
    const org = await registerOrg(t.http);
    const email = uniqueEmail('new');
    const res = await t.http.post(
      '/users',
      { email: email.toUpperCase(), password: STRONG_PASSWORD, role: 'manager', first_name: 'Nia' },
      { token: org.accessToken },
    );
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ email, first_name: 'Nia', last_name: null, email_verified: false, role: { slug: 'manager' } });
    const login = await t.http.post('/auth/login', { email, password: STRONG_PASSWORD });
    expect(login.body.organization).toMatchObject({ id: org.organizationId, role: { slug: 'manager' } });
  });

  it('takes the role by id, by slug, the alias "user", or the default role', async () => {
    const org = await registerOrg(t.http);
    const roles = (await t.http.get('/roles', { token: org.accessToken })).body.data;
    const adminId = roles.find((r: any) => r.slug === 'admin').id;
    const create = (role?: string) =>
      t.http.post('/users', { email: uniqueEmail(), password: STRONG_PASSWORD, ...(role ? { role } : {}) }, { token: org.accessToken });
    expect((await create(adminId)).body.data.role.slug).toBe('admin');
    expect((await create('user')).body.data.role.slug).toBe('member');
    await t.http.put('/organizations/me/settings', { settings: { default_role: 'manager' } }, { token: org.accessToken });
    expect((await create()).body.data.role.slug).toBe('manager');
    const unknown = await create('wizard');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('role_not_found');
  });

  it('answers 409 for an email that already has an account, and 400 for bad input', async () => {
    const org = await registerOrg(t.http);
    const other = await registerOrg(t.http);
    const taken = await t.http.post('/users', { email: other.email, password: STRONG_PASSWORD }, { token: org.accessToken });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('email_taken');
    const weak = await t.http.post('/users', { email: uniqueEmail(), password: 'password1' }, { token: org.accessToken });
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('weak_password');
    const bad = await t.http.post('/users', { email: 'nope', first_name: '', admin: true }, { token: org.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.field).sort()).toEqual(['admin', 'email', 'first_name', 'password']);
  });

  it('never grants more than the caller holds, and needs users.create', async () => {
    const org = await registerOrg(t.http);
    const admin = await createMember(t, org, 'admin');
    const manager = await createMember(t, org, 'manager');
    const owner = await t.http.post(
      '/users',
      { email: uniqueEmail(), password: STRONG_PASSWORD, role: 'owner' },
      { token: admin.accessToken },
    );
    expect(owner.status).toBe(403);
    expect(owner.body.code).toBe('permission_not_held');
    expect(
      (await t.http.post('/users', { email: uniqueEmail(), password: STRONG_PASSWORD, role: 'admin' }, { token: admin.accessToken }))
        .status,
    ).toBe(201);
    const byManager = await t.http.post('/users', { email: uniqueEmail(), password: STRONG_PASSWORD }, { token: manager.accessToken });
    expect(byManager.body.code).toBe('missing_permission');
  });

  it('works with an API key holding users.create (the integration path)', async () => {
    const org = await registerOrg(t.http);
    const narrow = (
      await t.http.post('/api-keys', { name: 'Narrow', permissions: ['users.create', 'users.view'] }, { token: org.accessToken })
    ).body.data.key;
    const refused = await t.http.post('/users', { email: uniqueEmail('hr'), password: STRONG_PASSWORD, role: 'user' }, { apiKey: narrow });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('permission_not_held');

    const key = (await t.http.post('/api-keys', { name: 'HR sync' }, { token: org.accessToken })).body.data.key;
    const res = await t.http.post('/users', { email: uniqueEmail('hr'), password: STRONG_PASSWORD, role: 'user' }, { apiKey: key });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ organization_id: org.organizationId, role: { slug: 'member' } });
    const audit = await dataSource(t).query(
      `SELECT actor_user_id, actor_api_key_id FROM audit_logs WHERE organization_id = $1 AND action = 'user.created'`,
      [org.organizationId],
    );
    expect(audit[0]).toMatchObject({ actor_user_id: null, actor_api_key_id: expect.any(String) });
  });
});

describe('PUT /users/:id', () => {
  it('changes the name at once and the email once the new address is verified through the link mailed to it', async () => {
    const org = await registerOrg(t.http);
    const member = await createMember(t, org, 'member');
    const email = uniqueEmail('renamed');
    const res = await t.http.put(`/users/${member.userId}`, { first_name: 'Renamed', email }, { token: org.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ first_name: 'Renamed', email: member.email, pending_email: email });
    const mail = await mailbox.waitFor(email, /Verify your email/);
    expect(mail.text).toMatch(/verify-email\?token=/);
    expect((await t.http.post('/auth/login', { email: member.email, password: STRONG_PASSWORD })).status).toBe(200);
    expect((await t.http.get(`/auth/verify-email?token=${/token=([A-Za-z0-9_-]{43})/.exec(mail.text)![1]}`)).status).toBe(200);
    expect((await t.http.post('/auth/login', { email, password: STRONG_PASSWORD })).status).toBe(200);
    const taken = await t.http.put(`/users/${member.userId}`, { email: org.email }, { token: org.accessToken });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('email_taken');
  });

  it("changes the role, and the member's next request has the new permissions", async () => {
    const org = await registerOrg(t.http, { organization_name: 'Rolling Co' });
    const member = await createMember(t, org, 'manager');
    expect((await t.http.get('/invitations', { token: member.accessToken })).status).toBe(200);
    const changes = () => outboxEvents(t, 'member.role_changed', 'user_id', member.userId);
    expect((await t.http.put(`/users/${member.userId}`, { role: 'owner-of-nothing' }, { token: org.accessToken })).status).toBe(404);
    expect(await changes()).toEqual([]);
    const res = await t.http.put(`/users/${member.userId}`, { role: 'member' }, { token: org.accessToken });
    expect(res.body.data.role.slug).toBe('member');
    // The member's notification names the organization and both roles.
    expect(await changes()).toEqual([
      {
        organization_id: org.organizationId,
        actor_id: org.userId,
        payload: {
          user_id: member.userId,
          organization_id: org.organizationId,
          organization_name: 'Rolling Co',
          role: 'member',
          role_name: 'Member',
          previous_role_name: 'Manager',
        },
      },
    ]);
    const after = await t.http.get('/invitations', { token: member.accessToken });
    expect(after.status).toBe(403);
  });

  it('suspends an account: its sessions end at once; reactivating lets it sign in again', async () => {
    const org = await registerOrg(t.http);
    const member = await createMember(t, org, 'member');
    expect((await t.http.put(`/users/${member.userId}`, { status: 'suspended' }, { token: org.accessToken })).body.data.status).toBe(
      'suspended',
    );
    expect((await t.http.get('/users/me', { token: member.accessToken })).status).toBe(401);
    expect((await t.http.post('/auth/refresh', { refresh_token: member.refreshToken })).status).toBe(401);
    expect((await t.http.post('/auth/login', { email: member.email, password: STRONG_PASSWORD })).body.code).toBe('account_suspended');
    await t.http.put(`/users/${member.userId}`, { status: 'active' }, { token: org.accessToken });
    expect((await t.http.post('/auth/login', { email: member.email, password: STRONG_PASSWORD })).status).toBe(200);
  });

  it('keeps an active owner: the last one cannot be demoted or suspended; with two, one can', async () => {
    const org = await registerOrg(t.http);
    const superRole = (
      await t.http.post(
        '/roles',
        {
          name: 'Super',
          permissions: (await t.http.get('/roles/permissions', { token: org.accessToken })).body.data.map((p: any) => p.key),
        },
        { token: org.accessToken },
      )
    ).body.data;
    const sup = await createMember(t, org, superRole.slug);
    for (const change of [{ role: 'admin' }, { status: 'suspended' }]) {
      const res = await t.http.put(`/users/${org.userId}`, change, { token: sup.accessToken });
      expect(res.status, JSON.stringify(change)).toBe(409);
      expect(res.body.code).toBe('last_owner');
    }
    const self = await t.http.put(`/users/${org.userId}`, { role: 'admin' }, { token: org.accessToken });
    expect(self.body.code).toBe('last_owner');

    const second = await createMember(t, org, 'owner');
    expect((await t.http.put(`/users/${org.userId}`, { role: 'admin' }, { token: second.accessToken })).status).toBe(200);
    expect((await t.http.put(`/users/${second.userId}`, { role: 'admin' }, { token: sup.accessToken })).body.code).toBe('last_owner');
  });

  it('refuses to manage a member whose role holds more, to grant more than held, and to suspend oneself', async () => {
    const org = await registerOrg(t.http);
    const admin = await createMember(t, org, 'admin');
    const member = await createMember(t, org, 'member');
    const onOwner = await t.http.put(`/users/${org.userId}`, { first_name: 'Ousted' }, { token: admin.accessToken });
    expect(onOwner.status).toBe(403);
    expect(onOwner.body.code).toBe('permission_not_held');
    expect((await t.http.put(`/users/${member.userId}`, { role: 'owner' }, { token: admin.accessToken })).status).toBe(403);
    expect((await t.http.put(`/users/${admin.userId}`, { status: 'suspended' }, { token: admin.accessToken })).body.code).toBe(
      'cannot_suspend_self',
    );
    expect((await t.http.get(`/users/${member.userId}`, { token: org.accessToken })).body.data.role.slug).toBe('member');
  });

  it('changes only the role of an account that also belongs to another organization', async () => {
    const org = await registerOrg(t.http);
    const elsewhere = await registerOrg(t.http);
    await t.http.post('/invitations', { email: elsewhere.email }, { token: org.accessToken });
    const token = /token=([A-Za-z0-9_-]{43})/.exec((await mailbox.waitFor(elsewhere.email, /Join/)).text)![1];
    await markEmailVerified(t, elsewhere.userId);
    expect((await t.http.post(`/invitations/accept/${token}`, {}, { token: elsewhere.accessToken })).status).toBe(201);

    for (const change of [{ first_name: 'Changed' }, { email: uniqueEmail() }, { status: 'suspended' }]) {
      const res = await t.http.put(`/users/${elsewhere.userId}`, change, { token: org.accessToken });
      expect(res.status, JSON.stringify(change)).toBe(409);
      expect(res.body.code).toBe('account_shared');
    }
    expect((await t.http.put(`/users/${elsewhere.userId}`, { role: 'manager' }, { token: org.accessToken })).body.data.role.slug).toBe(
      'manager',
    );
    const home = await t.http.get('/users/me', { token: elsewhere.accessToken });
    expect(home.body.data.first_name).toBe('Olive');
  });

  it('answers 400 for bad input, 404 for a stranger, 409 for a revoked member', async () => {
    const org = await registerOrg(t.http);
    const member = await createMember(t, org, 'member');
    const bad = await t.http.put(`/users/${member.userId}`, { status: 'banned', email: 'x', password: 'new' }, { token: org.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.field).sort()).toEqual(['email', 'password', 'status']);
    expect((await t.http.put(`/users/${GHOST}`, { first_name: 'A' }, { token: org.accessToken })).status).toBe(404);
    await t.http.post(`/users/${member.userId}/revoke`, {}, { token: org.accessToken });
    expect((await t.http.put(`/users/${member.userId}`, { role: 'admin' }, { token: org.accessToken })).body.code).toBe('member_revoked');
  });
});

describe('POST /users/:id/revoke and DELETE /users/:id', () => {
  it('revokes access at once, keeps the reason and records it in the audit trail', async () => {
    const org = await registerOrg(t.http, { organization_name: 'Leaving Ltd' });
    const member = await createMember(t, org, 'manager');
    const res = await t.http.post(`/users/${member.userId}/revoke`, { reason: 'Violation of terms' }, { token: org.accessToken });
    expect(res.status).toBe(200);
    const revoked = () => outboxEvents(t, 'member.revoked', 'user_id', member.userId);
    expect(await revoked()).toEqual([
      {
        organization_id: org.organizationId,
        actor_id: org.userId,
        payload: {
          user_id: member.userId,
          organization_id: org.organizationId,
          organization_name: 'Leaving Ltd',
          reason: 'Violation of terms',
        },
      },
    ]);
    expect(res.body.data.membership).toMatchObject({
      status: 'revoked',
      revoke_reason: 'Violation of terms',
      revoked_at: expect.any(String),
    });
    expect((await t.http.get('/users/me', { token: member.accessToken })).status).toBe(401);
    expect((await t.http.post('/auth/refresh', { refresh_token: member.refreshToken })).status).toBe(401);
    const login = await t.http.post('/auth/login', { email: member.email, password: STRONG_PASSWORD });
    expect(login.body.code).toBe('no_active_membership');
    const [entry] = await dataSource(t).query(
      `SELECT metadata, actor_user_id FROM audit_logs WHERE organization_id = $1 AND action = 'member.revoked'`,
      [org.organizationId],
    );
    expect(entry).toMatchObject({ actor_user_id: org.userId, metadata: { reason: 'Violation of terms', sessions_ended: 1 } });

    const again = await t.http.post(`/users/${member.userId}/revoke`, {}, { token: org.accessToken });
    expect(again.body.code).toBe('membership_already_revoked');
    expect(await revoked()).toHaveLength(1);
  });

  it('refuses revoking oneself, the last owner, and a member whose role holds more', async () => {
    const org = await registerOrg(t.http);
    const admin = await createMember(t, org, 'admin');
    expect((await t.http.post(`/users/${org.userId}/revoke`, {}, { token: org.accessToken })).body.code).toBe('cannot_revoke_self');
    expect((await t.http.post(`/users/${org.userId}/revoke`, {}, { token: admin.accessToken })).body.code).toBe('permission_not_held');
    const all = (await t.http.get('/roles/permissions', { token: org.accessToken })).body.data.map((p: any) => p.key);
    const superRole = (await t.http.post('/roles', { name: 'Super', permissions: all }, { token: org.accessToken })).body.data;
    const sup = await createMember(t, org, superRole.slug);
    expect((await t.http.post(`/users/${org.userId}/revoke`, {}, { token: sup.accessToken })).body.code).toBe('last_owner');
    expect((await t.http.post(`/users/${admin.userId}/revoke`, { reason: 'x'.repeat(501) }, { token: org.accessToken })).status).toBe(400);
    expect((await t.http.post(`/users/${admin.userId}/revoke`, {}, { token: admin.accessToken })).body.code).toBe('cannot_revoke_self');
  });

  it('DELETE removes the member (a revocation with reason "removed")', async () => {
    const org = await registerOrg(t.http);
    const member = await createMember(t, org, 'member');
    expect((await t.http.delete(`/users/${member.userId}`, undefined, { token: org.accessToken })).status).toBe(204);
    expect((await t.http.get(`/users/${member.userId}`, { token: org.accessToken })).body.data.membership).toMatchObject({
      status: 'revoked',
      revoke_reason: 'removed',
    });
    expect((await t.http.get('/users/me', { token: member.accessToken })).status).toBe(401);
    expect((await t.http.delete(`/users/${GHOST}`, undefined, { token: org.accessToken })).status).toBe(404);
  });

  it('needs users.revoke', async () => {
    const org = await registerOrg(t.http);
    const manager = await createMember(t, org, 'manager');
    const member = await createMember(t, org, 'member');
    expect((await t.http.post(`/users/${member.userId}/revoke`, {}, { token: manager.accessToken })).body.code).toBe('missing_permission');
    expect((await t.http.get('/users/me', { token: member.accessToken })).status).toBe(200);
  });
});

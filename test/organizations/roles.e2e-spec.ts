import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { createMember, dataSource, uniqueEmail } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let owner: RegisteredOrg;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t.http);
});
afterAll(async () => {
  await t?.close();
});

const roleBySlug = async (org: RegisteredOrg, slug: string) =>
  (await t.http.get('/roles?limit=100', { token: org.accessToken })).body.data.find((r: any) => r.slug === slug);

describe('reading roles', () => {
  it('lists the built-in roles first, paginated', async () => {
    const res = await t.http.get('/roles?page=1&limit=2', { token: owner.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 4, page: 1, limit: 2, totalPages: 2 });
    expect(res.body.data.every((r: any) => r.built_in)).toBe(true);
    expect((await t.http.get('/roles?limit=500', { token: owner.accessToken })).status).toBe(400);
  });

  it('answers one role by id; unknown and malformed ids are 404', async () => {
    const admin = await roleBySlug(owner, 'admin');
    const res = await t.http.get(`/roles/${admin.id}`, { token: owner.accessToken });
    expect(res.body.data).toMatchObject({ slug: 'admin', built_in: true });
    expect(res.body.data.permissions).not.toContain('billing.manage');
    expect((await t.http.get('/roles/00000000-0000-4000-8000-000000000000', { token: owner.accessToken })).status).toBe(404);
    expect((await t.http.get('/roles/nope', { token: owner.accessToken })).body.code).toBe('role_not_found');
  });

  it('lists the permission catalogue with descriptions', async () => {
    const res = await t.http.get('/roles/permissions', { token: owner.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).toContainEqual({ key: 'users.view', group: 'users', description: expect.stringMatching(/members/) });
    expect(res.body.data.every((p: any) => p.description.length > 5)).toBe(true);
  });

  it('counts members and open invitations per role', async () => {
    const org = await registerOrg(t.http);
    await createMember(t, org, 'manager');
    await createMember(t, org, 'manager');
    const manager = await roleBySlug(org, 'manager');
    await t.http.post('/invitations', { email: uniqueEmail(), role_id: manager.id }, { token: org.accessToken });
    const res = await t.http.get('/roles/usage-counts', { token: org.accessToken });
    const bySlug = Object.fromEntries(res.body.data.map((u: any) => [u.slug, u]));
    expect(bySlug.manager).toEqual({ role_id: manager.id, name: 'Manager', slug: 'manager', members: 2, pending_invitations: 1 });
    expect(bySlug.owner).toMatchObject({ members: 1, pending_invitations: 0 });
  });

  it('needs roles.view', async () => {
    const member = await createMember(t, owner, 'member');
    for (const path of ['/roles', '/roles/permissions', '/roles/usage-counts']) {
      expect((await t.http.get(path, { token: member.accessToken })).status, path).toBe(403);
    }
  });
});

describe('POST /roles', () => {
  it('creates a custom role, deriving the slug from the name', async () => {
    const res = await t.http.post(
      '/roles',
      { name: 'Support Agent', description: 'Helps customers', permissions: ['users.view', 'users.view', 'chats.use'] },
      { token: owner.accessToken },
    );
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ slug: 'support-agent', built_in: false, permissions: ['chats.use', 'users.view'] });
    const dup = await t.http.post('/roles', { name: 'Other', slug: 'support-agent', permissions: [] }, { token: owner.accessToken });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('role_slug_taken');
    const builtIn = await t.http.post('/roles', { name: 'Owner 2', slug: 'owner', permissions: [] }, { token: owner.accessToken });
    expect(builtIn.status).toBe(409);
  });

  it('refuses unknown permission strings with a 400 listing them', async () => {
    const res = await t.http.post(
      '/roles',
      { name: 'Wizard', permissions: ['users.view', 'magic.cast', 'users.fly'] },
      { token: owner.accessToken },
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('unknown_permissions');
    expect(res.body.message).toMatch(/magic\.cast, users\.fly/);
    expect(res.body.details[0].problems).toEqual(['unknown permission "magic.cast"', 'unknown permission "users.fly"']);
  });

  it('refuses permissions the caller does not hold', async () => {
    const admin = await createMember(t, owner, 'admin');
    const res = await t.http.post('/roles', { name: 'Treasurer', permissions: ['billing.manage'] }, { token: admin.accessToken });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'permission_not_held', message: expect.stringMatching(/billing\.manage/) });
  });

  it('names every bad field, and needs roles.manage', async () => {
    const bad = await t.http.post(
      '/roles',
      { name: 'x', slug: 'Bad Slug', permissions: 'users.view', color: 'red' },
      { token: owner.accessToken },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.field).sort()).toEqual(['color', 'name', 'permissions', 'slug']);
    const manager = await createMember(t, owner, 'manager');
    expect((await t.http.post('/roles', { name: 'Mine', permissions: [] }, { token: manager.accessToken })).status).toBe(403);
  });
});

describe('PUT /roles/:id', () => {
  it("changes a custom role, and its holders' next request follows", async () => {
    const org = await registerOrg(t.http);
    const role = (
      await t.http.post('/roles', { name: 'Viewer', permissions: ['users.view', 'organization.view'] }, { token: org.accessToken })
    ).body.data;
    const holder = await createMember(t, org, role.slug);
    expect((await t.http.get('/users', { token: holder.accessToken })).status).toBe(200);

    const res = await t.http.put(
      `/roles/${role.id}`,
      { name: 'Org viewer', permissions: ['organization.view'] },
      { token: org.accessToken },
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ name: 'Org viewer', slug: 'viewer', permissions: ['organization.view'] });
    const after = await t.http.get('/users', { token: holder.accessToken });
    expect(after.status).toBe(403);
    expect(after.body.code).toBe('missing_permission');
  });

  it('refuses built-in roles, unknown permissions, permissions not held, and a slug change', async () => {
    const admin = await createMember(t, owner, 'admin');
    const member = await roleBySlug(owner, 'member');
    const builtIn = await t.http.put(`/roles/${member.id}`, { permissions: ['users.view'] }, { token: owner.accessToken });
    expect(builtIn.status).toBe(409);
    expect(builtIn.body.code).toBe('built_in_role');

    const custom = (await t.http.post('/roles', { name: 'Bookkeeper', permissions: ['billing.view'] }, { token: owner.accessToken })).body
      .data;
    expect((await t.http.put(`/roles/${custom.id}`, { permissions: ['nope.nope'] }, { token: owner.accessToken })).status).toBe(400);
    const notHeld = await t.http.put(`/roles/${custom.id}`, { permissions: ['billing.manage'] }, { token: admin.accessToken });
    expect(notHeld.status).toBe(403);
    expect((await t.http.put(`/roles/${custom.id}`, { slug: 'renamed' }, { token: owner.accessToken })).status).toBe(400);

    const mighty = (await t.http.post('/roles', { name: 'Mighty', permissions: ['billing.manage'] }, { token: owner.accessToken })).body
      .data;
    const above = await t.http.put(`/roles/${mighty.id}`, { name: 'Weakened' }, { token: admin.accessToken });
    expect(above.status).toBe(403);
    expect((await t.http.put('/roles/00000000-0000-4000-8000-000000000000', { name: 'Ghost' }, { token: owner.accessToken })).status).toBe(
      404,
    );
  });
});

describe('DELETE /roles/:id', () => {
  it('deletes a custom role nobody holds', async () => {
    const role = (await t.http.post('/roles', { name: 'Temporary', permissions: [] }, { token: owner.accessToken })).body.data;
    expect((await t.http.delete(`/roles/${role.id}`, undefined, { token: owner.accessToken })).status).toBe(204);
    expect((await t.http.get(`/roles/${role.id}`, { token: owner.accessToken })).status).toBe(404);
    expect((await t.http.delete(`/roles/${role.id}`, undefined, { token: owner.accessToken })).status).toBe(404);
  });

  it('refuses a built-in role, a role held by a member or an open invitation, and the default role', async () => {
    const org = await registerOrg(t.http);
    const admin = await roleBySlug(org, 'admin');
    expect((await t.http.delete(`/roles/${admin.id}`, undefined, { token: org.accessToken })).body.code).toBe('built_in_role');

    const held = (await t.http.post('/roles', { name: 'Held', permissions: [] }, { token: org.accessToken })).body.data;
    await createMember(t, org, held.slug);
    const inUse = await t.http.delete(`/roles/${held.id}`, undefined, { token: org.accessToken });
    expect(inUse.status).toBe(409);
    expect(inUse.body.code).toBe('role_in_use');

    const invited = (await t.http.post('/roles', { name: 'Invited', permissions: [] }, { token: org.accessToken })).body.data;
    await t.http.post('/invitations', { email: uniqueEmail(), role_id: invited.id }, { token: org.accessToken });
    expect((await t.http.delete(`/roles/${invited.id}`, undefined, { token: org.accessToken })).body.code).toBe('role_in_use');

    const fallback = (await t.http.post('/roles', { name: 'Newcomer', permissions: [] }, { token: org.accessToken })).body.data;
    await t.http.put('/organizations/me/settings', { settings: { default_role: 'newcomer' } }, { token: org.accessToken });
    expect((await t.http.delete(`/roles/${fallback.id}`, undefined, { token: org.accessToken })).body.code).toBe('role_is_default');
  });

  it('moves revoked memberships that still name the role to member', async () => {
    const org = await registerOrg(t.http);
    const role = (await t.http.post('/roles', { name: 'Seasonal', permissions: ['users.view'] }, { token: org.accessToken })).body.data;
    const seasonal = await createMember(t, org, role.slug);
    await t.http.post(`/users/${seasonal.userId}/revoke`, { reason: 'season over' }, { token: org.accessToken });
    expect((await t.http.delete(`/roles/${role.id}`, undefined, { token: org.accessToken })).status).toBe(204);
    const user = await t.http.get(`/users/${seasonal.userId}`, { token: org.accessToken });
    expect(user.body.data).toMatchObject({ role: { slug: 'member' }, membership: { status: 'revoked', revoke_reason: 'season over' } });
    const audit = await dataSource(t).query(`SELECT before FROM audit_logs WHERE organization_id = $1 AND action = 'role.deleted'`, [
      org.organizationId,
    ]);
    expect(audit[0].before).toMatchObject({ slug: 'seasonal' });
  });
});

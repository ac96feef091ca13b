import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { createMember } from '../support/members.js';
import { outboxEvents } from '../support/outbox.js';
import { addMember, db, registerWithMfa } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function createKey(owner: Pick<RegisteredOrg, 'accessToken'>, body: Record<string, unknown> = {}) {
  const res = await t.http.post('/api-keys', { name: 'CRM sync', ...body }, { token: owner.accessToken });
  expect(res.status).toBe(201);
  return res.body.data as { id: string; key: string; prefix: string; permissions: string[]; name: string; created_at: string };
}

describe('creating and listing API keys', () => {
  it('shows the key once, stores only its hash, and lists keys without secrets', async () => {
    const owner = await registerOrg(t.http);
    const created = await t.http.post('/api-keys', { name: 'CRM sync', permissions: ['users.view'] }, { token: owner.accessToken });
    expect(created.status).toBe(201);
    const k = created.body.data;
    expect(Object.keys(k).sort()).toEqual(['created_at', 'expires_at', 'id', 'key', 'name', 'permissions', 'prefix']);
    expect(k).toMatchObject({ name: 'CRM sync', permissions: ['users.view'], expires_at: null });
    expect(k.key.startsWith(`${k.prefix}_`)).toBe(true);

    const [row] = await db(t).query('SELECT * FROM api_keys WHERE id = $1', [k.id]);
    expect(JSON.stringify(row)).not.toContain(k.key);
    expect(row.organization_id).toBe(owner.organizationId);

    const list = await t.http.get('/api-keys', { token: owner.accessToken });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 1, page: 1, totalPages: 1 });
    expect(list.body.data[0]).toMatchObject({ id: k.id, prefix: k.prefix, status: 'active', last_used_at: null, created_by: owner.userId });
    expect(JSON.stringify(list.body)).not.toContain(k.key);
    expect(list.body.data[0].key).toBeUndefined();
    expect(list.body.data[0].key_hash).toBeUndefined();
  });

  it('announces a new key to its organization (api_key.created) without its secret, and nothing for a refused one', async () => {
    const owner = await registerOrg(t.http);
    const k = await createKey(owner, { name: 'Warehouse export' });
    const events = await outboxEvents(t, 'api_key.created', 'created_by', owner.userId);
    expect(events).toEqual([
      {
        organization_id: owner.organizationId,
        actor_id: owner.userId,
        payload: { api_key_id: k.id, name: 'Warehouse export', created_by: owner.userId },
      },
    ]);
    const [{ key_hash: keyHash }] = await db(t).query('SELECT key_hash FROM api_keys WHERE id = $1', [k.id]);
    expect(JSON.stringify(events)).not.toContain(k.key.split('_').pop());
    expect(JSON.stringify(events)).not.toContain(keyHash);

    const refused = await t.http.post('/api-keys', { name: 'Expired', expires_at: '2020-01-01T00:00:00Z' }, { token: owner.accessToken });
    expect(refused.status).toBe(400);
    expect(await outboxEvents(t, 'api_key.created', 'created_by', owner.userId)).toHaveLength(1);
  });

  it('defaults to the creator’s permissions and refuses ones the creator lacks or that do not exist', async () => {
    const owner = await registerOrg(t.http);
    const all = await createKey(owner);
    expect(all.permissions).toContain('billing.manage');

    const admin = await addMember(t, owner.organizationId, 'admin');
    const beyond = await t.http.post(
      '/api-keys',
      { name: 'x', permissions: ['users.view', 'billing.manage'] },
      { token: admin.accessToken },
    );
    expect(beyond.status).toBe(403);
    expect(beyond.body.code).toBe('permission_not_held');
    const unknown = await t.http.post('/api-keys', { name: 'x', permissions: ['root'] }, { token: admin.accessToken });
    expect(unknown.status).toBe(400);
    const bad = await t.http.post('/api-keys', { name: '', expires_at: 'tomorrow', extra: 1 }, { token: admin.accessToken });
    expect(bad.status).toBe(400);
    expect((bad.body.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual(['expires_at', 'extra', 'name']);
    const past = await t.http.post('/api-keys', { name: 'x', expires_at: '2020-01-01T00:00:00Z' }, { token: admin.accessToken });
    expect(past.status).toBe(400);
    expect((await t.http.get('/api-keys', { token: owner.accessToken })).body.total).toBe(1);
  });

  it('needs api_keys.manage', async () => {
    const owner = await registerOrg(t.http);
    const member = await addMember(t, owner.organizationId, 'member');
    const res = await t.http.post('/api-keys', { name: 'x' }, { token: member.accessToken });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('missing_permission');
    expect((await t.http.get('/api-keys', { token: member.accessToken })).status).toBe(403);
    expect((await t.http.get('/api-keys')).status).toBe(401);
  });
});

describe('authenticating with x-api-key', () => {
  it('acts for the key’s organization with the key’s permissions and records its use', async () => {
    const owner = await registerOrg(t.http);
    const k = await createKey(owner, { permissions: ['users.view', 'api_keys.manage'] });
    const current = await t.http.get('/api-keys/current', { apiKey: k.key });
    expect(current.status).toBe(200);
    expect(current.body.data).toMatchObject({
      id: k.id,
      organization_id: owner.organizationId,
      effective_permissions: ['api_keys.manage', 'users.view'],
    });
    expect((await t.http.get('/api-keys', { apiKey: k.key })).status).toBe(200);

    const narrow = await createKey(owner, { permissions: ['users.view'] });
    const denied = await t.http.get('/api-keys', { apiKey: narrow.key });
    expect(denied.status).toBe(403);

    let used: string | null = null;
    for (let i = 0; i < 50 && !used; i++) {
      [{ last_used_at: used }] = await db(t).query('SELECT last_used_at FROM api_keys WHERE id = $1', [k.id]);
      if (!used) await new Promise((r) => setTimeout(r, 50));
    }
    expect(used).not.toBeNull();
  });

  it('answers GET /users/me with the account the key acts for, and keeps account changes to signed-in users', async () => {
    const owner = await registerOrg(t.http);
    const k = await createKey(owner, { permissions: ['users.view'] });
    const me = await t.http.get('/users/me', { apiKey: k.key });
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ id: owner.userId, email: owner.email, status: 'active' });
    expect(me.body.data).not.toHaveProperty('password_hash');

    const renamed = await t.http.put('/users/me', { first_name: 'Robot' }, { apiKey: k.key });
    expect(renamed.status).toBe(403);
    expect(renamed.body.code).toBe('user_session_required');
    const password = await t.http.put(
      '/users/me/change-password',
      { current_password: 'x', new_password: 'Another-Lantern-77!' },
      { apiKey: k.key },
    );
    expect(password.status).toBe(403);
    expect((await t.http.get('/users/me', { token: owner.accessToken })).body.data.first_name).not.toBe('Robot');
  });

  it('refuses malformed, unknown, expired and another organization’s keys with 401', async () => {
    const owner = await registerOrg(t.http);
    const other = await registerOrg(t.http);
    const k = await createKey(owner);
    for (const key of ['nope', `${k.key}x`, `${k.prefix}_${'A'.repeat(43)}`]) {
      const res = await t.http.get('/api-keys/current', { apiKey: key });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_api_key');
    }
    const wrongOrg = await t.http.get('/api-keys/current', { apiKey: k.key, organizationId: other.organizationId });
    expect(wrongOrg.status).toBe(401);
    expect(wrongOrg.body.code).toBe('api_key_wrong_organization');

    await db(t).query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [k.id]);
    const expired = await t.http.get('/api-keys/current', { apiKey: k.key });
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('api_key_expired');
    expect((await t.http.get('/api-keys', { token: owner.accessToken })).body.data[0].status).toBe('expired');
  });

  it('never grants more than the creator has now: a demoted creator’s key shrinks, a removed one’s stops', async () => {
    const owner = await registerOrg(t.http);
    const admin = await addMember(t, owner.organizationId, 'admin');
    const k = await createKey(admin, { permissions: ['users.view', 'api_keys.manage', 'roles.manage'] });
    expect((await t.http.get('/api-keys', { apiKey: k.key })).status).toBe(200);

    await db(t).query(
      `UPDATE memberships SET role_id = (SELECT id FROM roles WHERE organization_id = $1 AND slug = 'member') WHERE organization_id = $1 AND user_id = $2`,
      [owner.organizationId, admin.userId],
    );
    const demoted = await t.http.get('/api-keys/current', { apiKey: k.key });
    expect(demoted.body.data.effective_permissions).toEqual(['users.view']);
    expect((await t.http.get('/api-keys', { apiKey: k.key })).status).toBe(403);

    await db(t).query(`UPDATE memberships SET status = 'revoked' WHERE organization_id = $1 AND user_id = $2`, [
      owner.organizationId,
      admin.userId,
    ]);
    const removed = await t.http.get('/api-keys/current', { apiKey: k.key });
    expect(removed.status).toBe(401);
    expect(removed.body.code).toBe('api_key_creator_inactive');
  });

  it('cannot create, rotate or revoke keys with a key', async () => {
    const owner = await registerOrg(t.http);
    const k = await createKey(owner);
    const created = await t.http.post('/api-keys', { name: 'child' }, { apiKey: k.key });
    expect(created.status).toBe(403);
    expect(created.body.code).toBe('user_session_required');
    expect((await t.http.post(`/api-keys/${k.id}/rotate`, {}, { apiKey: k.key })).status).toBe(403);
    expect((await t.http.post(`/api-keys/${k.id}/revoke`, {}, { apiKey: k.key })).status).toBe(403);
    const notKey = await t.http.get('/api-keys/current', { token: owner.accessToken });
    expect(notKey.status).toBe(400);
  });
});

describe('rotating and revoking', () => {
  it('rotation gives a new key for the same id and the old one stops at once', async () => {
    const owner = await registerOrg(t.http);
    const k = await createKey(owner, { permissions: ['users.view'] });
    const rotated = await t.http.post(`/api-keys/${k.id}/rotate`, {}, { token: owner.accessToken });
    expect(rotated.status).toBe(200);
    expect(rotated.body.data).toMatchObject({ id: k.id, name: k.name, permissions: ['users.view'] });
    expect(rotated.body.data.key).not.toBe(k.key);
    expect(rotated.body.data.prefix).not.toBe(k.prefix);
    const old = await t.http.get('/api-keys/current', { apiKey: k.key });
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('invalid_api_key');
    expect((await t.http.get('/api-keys/current', { apiKey: rotated.body.data.key })).status).toBe(200);
  });

  it('revocation stops the key at once and cannot be undone by rotating', async () => {
    const owner = await registerOrg(t.http);
    const k = await createKey(owner);
    const revoked = await t.http.post(`/api-keys/${k.id}/revoke`, {}, { token: owner.accessToken });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ message: 'Revoked', data: { id: k.id, status: 'revoked' } });
    const res = await t.http.get('/api-keys/current', { apiKey: k.key });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('api_key_revoked');
    const rotate = await t.http.post(`/api-keys/${k.id}/rotate`, {}, { token: owner.accessToken });
    expect(rotate.status).toBe(409);
    expect(rotate.body.code).toBe('api_key_already_revoked');
    expect((await t.http.post(`/api-keys/${k.id}/revoke`, {}, { token: owner.accessToken })).status).toBe(200);
  });

  it('an expired key cannot be rotated: 409 api_key_already_expired, not the 401 a request with it gets', async () => {
    const owner = await registerOrg(t.http);
    const k = await createKey(owner);
    await db(t).query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [k.id]);
    const used = await t.http.get('/api-keys/current', { apiKey: k.key });
    expect([used.status, used.body.code]).toEqual([401, 'api_key_expired']);
    const rotate = await t.http.post(`/api-keys/${k.id}/rotate`, {}, { token: owner.accessToken });
    expect([rotate.status, rotate.body.code]).toEqual([409, 'api_key_already_expired']);
    expect((await t.http.get('/api-keys/current', { apiKey: k.key })).status).toBe(401);
  });

  it('another organization’s key id answers 404 and is left untouched', async () => {
    const a = await registerOrg(t.http);
    const b = await registerOrg(t.http);
    const k = await createKey(a);
    for (const action of ['rotate', 'revoke']) {
      const res = await t.http.post(`/api-keys/${k.id}/${action}`, {}, { token: b.accessToken });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('api_key_not_found');
    }
    expect((await t.http.post('/api-keys/not-a-uuid/revoke', {}, { token: b.accessToken })).status).toBe(404);
    expect((await t.http.get('/api-keys', { token: b.accessToken })).body.total).toBe(0);
    expect((await t.http.get('/api-keys/current', { apiKey: k.key })).status).toBe(200);
  });

  it('records creation, rotation and revocation in the audit trail without the key', async () => {
    const owner = await registerOrg(t.http);
    const k = await createKey(owner);
    await t.http.post(`/api-keys/${k.id}/rotate`, {}, { token: owner.accessToken });
    await t.http.post(`/api-keys/${k.id}/revoke`, {}, { token: owner.accessToken });
    const rows = await db(t).query(`SELECT action, after FROM audit_logs WHERE resource_id = $1 ORDER BY created_at`, [k.id]);
    expect(rows.map((r: { action: string }) => r.action)).toEqual(['api_key.created', 'api_key.rotated', 'api_key.revoked']);
    expect(JSON.stringify(rows)).not.toContain(k.key);
  });
});

describe('the package limit on API keys', () => {
  it('refuses a key beyond the Free package’s two, and a revoked key frees its slot', async () => {
    const owner = await registerOrg(t.http);
    const first = await createKey(owner);
    await createKey(owner);
    const third = await t.http.post('/api-keys', { name: 'One too many' }, { token: owner.accessToken });
    expect(third.status).toBe(403);
    expect(third.body).toMatchObject({ code: 'package_limit_reached', details: { resource: 'api_keys', limit: 2, used: 2 } });
    expect(await outboxEvents(t, 'api_key.created', 'created_by', owner.userId)).toHaveLength(2);
    expect((await t.http.get('/api-keys', { token: owner.accessToken })).body.total).toBe(2);
    expect((await t.http.post(`/api-keys/${first.id}/revoke`, {}, { token: owner.accessToken })).status).toBe(200);
    await createKey(owner, { name: 'Replacement' });
  });
});

describe('nobody receives or manages a key that holds a permission they do not hold', () => {
  it('an admin cannot rotate the owner’s broader key, so the escalation through rotation ends in 403', async () => {
    const owner = await registerOrg(t.http);
    const admin = await createMember(t, owner, 'admin');
    const k = await createKey(owner);
    expect(k.permissions).toContain('billing.manage');

    const rotated = await t.http.post(`/api-keys/${k.id}/rotate`, {}, { token: admin.accessToken });
    expect(rotated.status).toBe(403);
    expect(rotated.body.code).toBe('permission_not_held');
    expect(rotated.body.message).toContain('billing.manage');
    expect(JSON.stringify(rotated.body)).not.toMatch(/atr_[0-9a-f]{8}_/);
    // Nothing changed: the owner's key still works under its old secret.
    expect((await t.http.get('/api-keys/current', { apiKey: k.key })).status).toBe(200);
    // Without the owner's key the admin's next steps are refused as before.
    const role = await t.http.post('/roles', { name: 'Treasurer', permissions: ['billing.manage'] }, { token: admin.accessToken });
    expect(role.status).toBe(403);
    const promoted = await t.http.put(`/users/${admin.userId}`, { role: 'owner' }, { token: admin.accessToken });
    expect(promoted.status).toBe(403);
    expect((await t.http.get(`/users/${admin.userId}`, { token: owner.accessToken })).body.data.role.slug).toBe('admin');
  });

  it('an admin can neither revoke nor list the owner’s broader key, but sees and manages keys within their permissions', async () => {
    const owner = await registerOrg(t.http);
    const admin = await createMember(t, owner, 'admin');
    const broad = await createKey(owner);
    const narrow = await createKey(owner, { name: 'Directory sync', permissions: ['users.view'] });

    const revoked = await t.http.post(`/api-keys/${broad.id}/revoke`, {}, { token: admin.accessToken });
    expect(revoked.status).toBe(403);
    expect(revoked.body.code).toBe('permission_not_held');
    expect((await t.http.get('/api-keys/current', { apiKey: broad.key })).status).toBe(200);

    const listed = await t.http.get('/api-keys', { token: admin.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ total: 1, page: 1, totalPages: 1 });
    expect(listed.body.data.map((k: { id: string }) => k.id)).toEqual([narrow.id]);
    expect((await t.http.get('/api-keys', { token: owner.accessToken })).body.total).toBe(2);

    expect((await t.http.post(`/api-keys/${narrow.id}/revoke`, {}, { token: admin.accessToken })).status).toBe(200);
    expect((await t.http.get('/api-keys/current', { apiKey: narrow.key })).status).toBe(401);
  });

  it('a key an admin rotates within their permissions then acts for the admin, capped by the admin’s role', async () => {
    const owner = await registerOrg(t.http);
    const admin = await createMember(t, owner, 'admin');
    const k = await createKey(owner, { permissions: ['users.view', 'users.edit'] });

    const rotated = await t.http.post(`/api-keys/${k.id}/rotate`, {}, { token: admin.accessToken });
    expect(rotated.status).toBe(200);
    const key = rotated.body.data.key as string;
    const me = await t.http.get('/users/me', { apiKey: key });
    expect(me.body.data.id).toBe(admin.userId);
    const listed = await t.http.get('/api-keys', { token: owner.accessToken });
    expect(listed.body.data.find((x: { id: string }) => x.id === k.id).created_by).toBe(admin.userId);
    const [audit] = await db(t).query(`SELECT before, after FROM audit_logs WHERE resource_id = $1 AND action = 'api_key.rotated'`, [k.id]);
    expect(audit).toMatchObject({ before: { created_by: owner.userId }, after: { created_by: admin.userId } });

    // The admin's role, not the owner's, caps it now: demote the admin and the key loses users.edit.
    expect((await t.http.put(`/users/${admin.userId}`, { role: 'member' }, { token: owner.accessToken })).status).toBe(200);
    const current = await t.http.get('/api-keys/current', { apiKey: key });
    expect(current.body.data.effective_permissions).toEqual(['users.view']);
  });
});

describe('a key is held to the rules of the account it acts for', () => {
  it('cannot revoke or suspend the account it acts for', async () => {
    const owner = await registerOrg(t.http);
    const admin = await createMember(t, owner, 'admin');
    // Made by the admin with all of the admin's permissions, so only the "not yourself" rules stand in the way.
    const k = await createKey(admin);

    const revoked = await t.http.post(`/users/${admin.userId}/revoke`, { reason: 'by my own key' }, { apiKey: k.key });
    expect(revoked.status).toBe(409);
    expect(revoked.body.code).toBe('cannot_revoke_self');
    const removed = await t.http.delete(`/users/${admin.userId}`, undefined, { apiKey: k.key });
    expect(removed.status).toBe(409);
    const suspended = await t.http.put(`/users/${admin.userId}`, { status: 'suspended' }, { apiKey: k.key });
    expect(suspended.status).toBe(409);
    expect(suspended.body.code).toBe('cannot_suspend_self');
    const still = await t.http.get(`/users/${admin.userId}`, { token: owner.accessToken });
    expect(still.body.data).toMatchObject({ status: 'active', membership: { status: 'active' } });
  });

  it('cannot require two-factor authentication unless the account it acts for has it on', async () => {
    const owner = await registerOrg(t.http);
    const k = await createKey(owner, { permissions: ['organization.view', 'organization.edit'] });
    const res = await t.http.put('/organizations/me/settings', { settings: { mfa_required: true } }, { apiKey: k.key });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('own_mfa_required');
    expect((await t.http.get('/organizations/me', { apiKey: k.key })).body.data.settings.mfa_required).toBe(false);

    const secured = await registerWithMfa(t);
    const allowed = await createKey(secured, { permissions: ['organization.view', 'organization.edit'] });
    const ok = await t.http.put('/organizations/me/settings', { settings: { mfa_required: true } }, { apiKey: allowed.key });
    expect(ok.status).toBe(200);
    expect(ok.body.data.settings.mfa_required).toBe(true);
  });
});

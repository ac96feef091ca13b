import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { createMember, dataSource, signIn } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The member list may be answered from a page an instance built earlier; these specs change what it shows
 * through one instance (or straight in the database) and read the list through another.
 */
let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  [a, b] = await Promise.all([startTestApp(), startTestApp()]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

const list = async (t: TestApp, org: RegisteredOrg, query = '') => {
  const res = await t.http.get(`/users${query}`, { token: org.accessToken });
  expect(res.status).toBe(200);
  return res.body as { total: number; data: Array<Record<string, any>> };
};
const entry = (page: { data: Array<Record<string, any>> }, id: string) => page.data.find((m) => m.id === id);

describe('the member list across instances', () => {
  it('shows every change on the next request, whichever instance made it', async () => {
    const org = await registerOrg(a.http);
    const mia = await createMember(a, org, 'member', { first_name: 'Mia' });
    await list(b, org);
    await list(b, org);

    expect((await a.http.put(`/users/${mia.userId}`, { first_name: 'Mira' }, { token: org.accessToken })).status).toBe(200);
    expect(entry(await list(b, org), mia.userId)?.first_name).toBe('Mira');

    expect((await a.http.put('/users/me', { last_name: 'Stone' }, { token: mia.accessToken })).status).toBe(200);
    expect(entry(await list(b, org), mia.userId)?.last_name).toBe('Stone');

    const role = await a.http.post('/roles', { name: 'Support', permissions: ['users.view'] }, { token: org.accessToken });
    expect((await a.http.put(`/users/${mia.userId}`, { role: 'support' }, { token: org.accessToken })).status).toBe(200);
    expect(entry(await list(b, org), mia.userId)?.role).toMatchObject({ slug: 'support', name: 'Support' });
    expect((await a.http.put(`/roles/${role.body.data.id}`, { name: 'Customer care' }, { token: org.accessToken })).status).toBe(200);
    expect(entry(await list(b, org), mia.userId)?.role.name).toBe('Customer care');

    const late = await createMember(a, org, 'member', { first_name: 'Late' });
    const grown = await list(b, org);
    expect(grown.total).toBe(3);
    expect(entry(grown, late.userId)?.first_name).toBe('Late');

    expect((await a.http.post(`/users/${late.userId}/revoke`, { reason: 'left' }, { token: org.accessToken })).status).toBe(200);
    const shrunk = await list(b, org);
    expect(shrunk.total).toBe(2);
    expect(entry(shrunk, late.userId)).toBeUndefined();
    expect(entry(await list(b, org, '?status=revoked'), late.userId)?.membership.revoke_reason).toBe('left');
  });

  it('shows changes made straight in the database, and keeps organizations apart', async () => {
    const org = await registerOrg(a.http);
    const other = await registerOrg(a.http);
    const mia = await createMember(a, org, 'member', { first_name: 'Mia' });
    await list(b, org);
    await list(b, other);
    await dataSource(a).query(`UPDATE users SET phone = '+15550100' WHERE id = $1`, [mia.userId]);
    expect(entry(await list(b, org), mia.userId)?.phone).toBe('+15550100');
    const otherPage = await list(b, other);
    expect(otherPage.total).toBe(1);
    expect(entry(otherPage, mia.userId)).toBeUndefined();
  });
});

describe('the directory version', () => {
  const version = async (t: TestApp, organizationId: string) =>
    Number(
      (await dataSource(t).query(`SELECT version FROM organization_directory_versions WHERE organization_id = $1`, [organizationId]))[0]
        ?.version ?? 0,
    );

  it('moves with every change the member list shows, in every organization of a changed account, and only then', async () => {
    const one = await registerOrg(a.http);
    const two = await registerOrg(a.http);
    const mia = await createMember(a, one, 'member');
    const db = dataSource(a);
    await db.query(
      `INSERT INTO memberships (organization_id, user_id, role_id)
       SELECT $1, $2, id FROM roles WHERE organization_id = $1 AND slug = 'member'`,
      [two.organizationId, mia.userId],
    );
    const changes: Array<[string, string, unknown[]]> = [
      ['account email', `UPDATE users SET email = 'x' || email WHERE id = $1`, [mia.userId]],
      ['account status', `UPDATE users SET status = 'suspended' WHERE id = $1`, [mia.userId]],
      ['account name', `UPDATE users SET first_name = 'Mira', updated_at = now() WHERE id = $1`, [mia.userId]],
      [
        'membership role',
        `UPDATE memberships m SET role_id = r.id FROM roles r
          WHERE m.user_id = $1 AND r.organization_id = m.organization_id AND r.slug = 'manager'`,
        [mia.userId],
      ],
      ['membership status', `UPDATE memberships SET status = 'revoked', revoked_at = now() WHERE user_id = $1`, [mia.userId]],
      ['role name', `UPDATE roles SET name = 'Crew' WHERE organization_id = $1 AND slug = 'member'`, [one.organizationId]],
    ];
    for (const [what, sql, params] of changes) {
      const [v1, v2] = [await version(a, one.organizationId), await version(a, two.organizationId)];
      await db.query(sql, params);
      expect(await version(a, one.organizationId), what).toBeGreaterThan(v1);
      if (what !== 'role name') expect(await version(a, two.organizationId), what).toBeGreaterThan(v2);
    }
    const still = await version(a, one.organizationId);
    await db.query(`UPDATE roles SET permissions = permissions WHERE organization_id = $1`, [one.organizationId]);
    await db.query(`UPDATE sessions SET last_used_at = now() WHERE user_id = $1`, [mia.userId]);
    await db.query(`UPDATE memberships SET last_used_at = now(), updated_at = now() WHERE user_id = $1`, [mia.userId]);
    await db.query(`UPDATE users SET password_hash = password_hash || '' WHERE id = $1`, [mia.userId]);
    expect(await version(a, one.organizationId)).toBe(still);
  });

  it('stays put when members sign in, and moves when a role or a profile changes', async () => {
    const org = await registerOrg(a.http);
    const mia = await createMember(a, org, 'member');
    const lastUsed = async () =>
      (await dataSource(a).query(`SELECT last_used_at FROM memberships WHERE user_id = $1`, [mia.userId]))[0].last_used_at as Date;
    const v0 = await version(a, org.organizationId);
    const used0 = await lastUsed();
    await signIn(a, mia.email, mia.password, org.organizationId);
    await signIn(b, org.email, org.password);
    // The sign-in did write "last used"; the list may show that up to a minute late, and no cache is emptied for it.
    expect((await lastUsed()).getTime()).toBeGreaterThan(used0.getTime());
    expect(await version(a, org.organizationId)).toBe(v0);

    expect((await a.http.put(`/users/${mia.userId}`, { role: 'manager' }, { token: org.accessToken })).status).toBe(200);
    const v1 = await version(a, org.organizationId);
    expect(v1).toBeGreaterThan(v0);
    expect((await a.http.put('/users/me', { first_name: 'Mona' }, { token: mia.accessToken })).status).toBe(200);
    expect(await version(a, org.organizationId)).toBeGreaterThan(v1);
  });
});

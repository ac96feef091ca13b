import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { DomainError, MissingTenantError, RequestContext, TenantRepository } from '@atrium/platform';
import { Role } from '@atrium/organizations';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let a: RegisteredOrg;
let b: RegisteredOrg;
let roles: TenantRepository<Role>;
const ctxFor = (organizationId?: string) => new RequestContext('test', undefined, organizationId, new Set(), { authMethod: 'system' });

beforeAll(async () => {
  t = await startTestApp();
  [a, b] = await Promise.all([registerOrg(t.http), registerOrg(t.http)]);
  roles = TenantRepository.for(t.app.get(DataSource), Role, 'Role');
});
afterAll(async () => {
  await t?.close();
});

describe('TenantRepository (against the real database)', () => {
  it('reads only the context organization’s rows', async () => {
    const mine = await roles.find(ctxFor(a.organizationId));
    expect(mine.map((r) => r.slug).sort()).toEqual(['admin', 'manager', 'member', 'owner']);
    expect(mine.every((r) => r.organizationId === a.organizationId)).toBe(true);
    const filtered = await roles.find(ctxFor(a.organizationId), { where: [{ slug: 'owner' }, { slug: 'member' }] });
    expect(filtered.every((r) => r.organizationId === a.organizationId)).toBe(true);
    expect(filtered).toHaveLength(2);
  });

  it('answers 404 for another organization’s id and for a malformed id', async () => {
    const [theirs] = await roles.find(ctxFor(b.organizationId));
    await expect(roles.getById(ctxFor(a.organizationId), theirs.id)).rejects.toMatchObject({ kind: 'not_found', code: 'role_not_found' });
    await expect(roles.getById(ctxFor(a.organizationId), 'not-a-uuid')).rejects.toBeInstanceOf(DomainError);
    await expect(roles.save(ctxFor(a.organizationId), theirs)).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('writes the context organization whatever the data says', async () => {
    const created = await roles.create(ctxFor(a.organizationId), {
      name: 'Auditor',
      slug: `auditor-${Date.now()}`,
      permissions: [],
      organizationId: b.organizationId,
    });
    expect(created.organizationId).toBe(a.organizationId);
    expect(await roles.count(ctxFor(b.organizationId), { id: created.id })).toBe(0);
  });

  it('fails closed when the context has no organization', async () => {
    await expect(roles.find(ctxFor(undefined))).rejects.toBeInstanceOf(MissingTenantError);
    await expect(roles.create(ctxFor(undefined), { name: 'X', slug: 'x' })).rejects.toBeInstanceOf(MissingTenantError);
    expect(() => roles.query(ctxFor(undefined), 'r')).toThrow(MissingTenantError);
  });
});

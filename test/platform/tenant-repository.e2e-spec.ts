import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  roles = TenantRepository.for(t.db, Role, 'Role');
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

  it('keeps the organization filter whatever the query builder is given', async () => {
    const mine = ctxFor(a.organizationId);
    const onlyMine = (rows: Array<{ organizationId: string }>) => rows.every((r) => r.organizationId === a.organizationId);
    // A condition with a top-level OR must not escape the tenant predicate (`tenant AND a OR b`).
    const widened = await roles.query(mine, 'r').andWhere(`r.slug = 'owner' OR r.slug = 'member'`).getMany();
    expect(widened).toHaveLength(2);
    expect(onlyMine(widened)).toBe(true);
    // Neither may a parameter named like the tenant's replace the organization.
    const hijacked = await roles.query(mine, 'r').andWhere('r.slug = :slug', { slug: 'owner', __tenant: b.organizationId }).getMany();
    expect(hijacked.map((r) => r.organizationId)).toEqual([a.organizationId]);
    const objects = await roles
      .query(mine, 'r')
      .andWhere([{ slug: 'owner' }, { slug: 'admin' }])
      .getMany();
    expect(objects).toHaveLength(2);
    expect(onlyMine(objects)).toBe(true);

    // Every way of reading the result stays inside the organization.
    const [theirs] = await roles.find(ctxFor(b.organizationId), { where: { slug: 'owner' } });
    const count = await roles.count(mine);
    const any = () => roles.query(mine, 'r').andWhere('true OR r.id = :id', { id: theirs.id });
    expect(onlyMine(await any().getMany())).toBe(true);
    expect(await any().getCount()).toBe(count);
    const [page, total] = await any().orderBy('r.slug', 'ASC').skip(0).take(10).getManyAndCount();
    expect(total).toBe(count);
    expect(onlyMine(page)).toBe(true);
    const raw = await any().select('r.organization_id', 'organization_id').getRawMany<{ organization_id: string }>();
    expect(new Set(raw.map((r) => r.organization_id))).toEqual(new Set([a.organizationId]));
    expect(await roles.query(mine, 'r').andWhere('r.id = :id', { id: theirs.id }).getExists()).toBe(false);
    expect(await roles.query(mine, 'r').andWhere('r.id = :id OR true', { id: theirs.id }).getOne()).toMatchObject({
      organizationId: a.organizationId,
    });
    expect(await roles.query(mine, 'r').andWhere('r.id = :id', { id: theirs.id }).getRawOne()).toBeUndefined();
    const joined = await roles
      .query(mine, 'r')
      .innerJoin('memberships', 'm', 'm.role_id = r.id')
      .andWhere('true OR m.organization_id = :other', { other: b.organizationId })
      .getMany();
    expect(joined.length).toBeGreaterThan(0);
    expect(onlyMine(joined)).toBe(true);
  });

  it('offers no way to replace or widen the tenant condition', () => {
    const misuse = () => {
      // @ts-expect-error `where` would replace the organization filter: the builder does not offer it
      roles.query(ctxFor(a.organizationId), 'r').where('true');
    };
    const widen = () => {
      // @ts-expect-error `orWhere` would add rows of every organization: not offered either
      roles.query(ctxFor(a.organizationId), 'r').andWhere('true').orWhere('true');
    };
    expect(misuse).toThrow(TypeError);
    expect(widen).toThrow(TypeError);
  });

  it('fails closed when the context has no organization', async () => {
    await expect(roles.find(ctxFor(undefined))).rejects.toBeInstanceOf(MissingTenantError);
    await expect(roles.create(ctxFor(undefined), { name: 'X', slug: 'x' })).rejects.toBeInstanceOf(MissingTenantError);
    expect(() => roles.query(ctxFor(undefined), 'r')).toThrow(MissingTenantError);
  });
});

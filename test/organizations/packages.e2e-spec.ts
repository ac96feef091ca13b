import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg } from '../support/factories.js';
import { createMember, dataSource, setPackage, STRONG_PASSWORD, uniqueEmail } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('package catalogue', () => {
  it('lists Free, Basic, Platinum and Diamond with a price per period and their features, without signing in', async () => {
    const res = await t.http.get('/packages');
    expect(res.status).toBe(200);
    expect(res.body.data.map((p: any) => p.slug)).toEqual(['free', 'basic', 'platinum', 'diamond']);
    const [free, basic, , diamond] = res.body.data;
    expect(free).toMatchObject({ name: 'Free', is_default: true, currency: 'USD' });
    expect(basic.prices.map((p: any) => p.period)).toEqual(['1_month', '3_months', '6_months', '1_year']);
    expect(basic.prices[0]).toEqual({ period: '1_month', months: 1, amount: 19, amount_cents: 1900 });
    const feature = (p: any, key: string) => p.features.find((f: any) => f.key === key);
    expect(feature(free, 'custom_slug')).toBeUndefined();
    expect(feature(free, 'members')).toMatchObject({ kind: 'limit', limit: 5, unlimited: false });
    expect(feature(basic, 'custom_slug')).toMatchObject({ kind: 'flag' });
    expect(feature(diamond, 'members')).toMatchObject({ limit: null, unlimited: true });
    expect(feature(diamond, 'storage_bytes').limit).toBe(1024 ** 4);
  });

  it('answers one package by id, and 404 for an unknown or malformed id', async () => {
    const all = (await t.http.get('/packages')).body.data;
    const one = await t.http.get(`/packages/${all[2].id}`);
    expect(one.status).toBe(200);
    expect(one.body.data).toEqual(all[2]);
    for (const id of ['999999', 'abc', '-1', '1.5']) {
      const res = await t.http.get(`/packages/${id}`);
      expect(res.status, id).toBe(404);
      expect(res.body.code).toBe('package_not_found');
    }
  });

  it('lists every feature with the packages that include it and its add-on price', async () => {
    const res = await t.http.get('/packages/features');
    expect(res.status).toBe(200);
    const byKey = Object.fromEntries(res.body.data.map((f: any) => [f.key, f]));
    expect(Object.keys(byKey)).toEqual(
      expect.arrayContaining(['custom_slug', 'members', 'storage_bytes', 'api_keys', 'webhook_providers', 'calls', 'audit_export']),
    );
    expect(byKey.custom_slug).toMatchObject({ kind: 'flag', purchasable: true, included_in: ['basic', 'platinum', 'diamond'] });
    expect(byKey.members).toMatchObject({
      kind: 'limit',
      unit: 'members',
      addon: { adds: 10, monthly_amount: 10, monthly_amount_cents: 1000 },
    });
    expect(byKey.audit_export.included_in).toEqual(['platinum', 'diamond']);
    expect(byKey.priority_support).toMatchObject({ purchasable: false, addon: null, included_in: ['diamond'] });
  });
});

describe('GET /organizations/me/package', () => {
  it('shows a new organization on Free with each entitlement, its limit and usage', async () => {
    const org = await registerOrg(t.http);
    await createMember(t, org, 'member');
    const res = await t.http.get('/organizations/me/package', { token: org.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data.package.slug).toBe('free');
    expect(res.body.data.subscription).toMatchObject({ status: 'active', period: null, auto_renew: false });
    expect(res.body.data.addons).toEqual([]);
    const byKey = Object.fromEntries(res.body.data.entitlements.map((e: any) => [e.key, e]));
    expect(byKey.members).toMatchObject({ included: true, limit: 5, used: 2 });
    expect(byKey.storage_bytes).toMatchObject({ limit: 1024 ** 3, used: 0 });
    expect(byKey.custom_slug).toMatchObject({ kind: 'flag', included: false, limit: null, used: null });
  });

  it('follows a package change and add-ons at once', async () => {
    const org = await registerOrg(t.http);
    await setPackage(t, org.organizationId, 'diamond');
    let res = await t.http.get('/organizations/me/package', { token: org.accessToken });
    expect(res.body.data.package.slug).toBe('diamond');
    expect(res.body.data.entitlements.find((e: any) => e.key === 'members')).toMatchObject({ limit: null, used: 1 });

    await setPackage(t, org.organizationId, 'basic');
    await dataSource(t).query(
      `INSERT INTO organization_features (organization_id, feature_id, quantity) SELECT $1, id, 2 FROM features WHERE key = 'members'`,
      [org.organizationId],
    );
    res = await t.http.get('/organizations/me/package', { token: org.accessToken });
    expect(res.body.data.entitlements.find((e: any) => e.key === 'members').limit).toBe(45);
    expect(res.body.data.addons).toEqual([expect.objectContaining({ feature_key: 'members', quantity: 2, expires_at: null })]);
  });

  it('needs billing.view', async () => {
    const org = await registerOrg(t.http);
    const member = await createMember(t, org, 'member');
    const res = await t.http.get('/organizations/me/package', { token: member.accessToken });
    expect(res.status).toBe(403);
  });
});

describe('member limit', () => {
  it('counts members and open invitations against the package, on direct creation and on invitation', async () => {
    const org = await registerOrg(t.http);
    for (let i = 0; i < 3; i++) await createMember(t, org, 'member');
    const invite = await t.http.post('/invitations', { email: uniqueEmail('seat') }, { token: org.accessToken });
    expect(invite.status).toBe(201);

    const create = await t.http.post('/users', { email: uniqueEmail('sixth'), password: STRONG_PASSWORD }, { token: org.accessToken });
    expect(create.status).toBe(403);
    expect(create.body).toMatchObject({
      code: 'package_limit_reached',
      details: { resource: 'members', package: 'free', limit: 5, used: 5 },
    });
    const secondInvite = await t.http.post('/invitations', { email: uniqueEmail('sixth') }, { token: org.accessToken });
    expect(secondInvite.status).toBe(403);
    expect(secondInvite.body.code).toBe('package_limit_reached');
    const members = await t.http.get('/users', { token: org.accessToken });
    expect(members.body.total).toBe(4);

    // Cancelling the invitation frees its seat.
    expect((await t.http.delete(`/invitations/${invite.body.data.id}`, undefined, { token: org.accessToken })).status).toBe(204);
    expect(
      (await t.http.post('/users', { email: uniqueEmail('fifth'), password: STRONG_PASSWORD }, { token: org.accessToken })).status,
    ).toBe(201);
    expect(
      (await t.http.post('/users', { email: uniqueEmail('sixth'), password: STRONG_PASSWORD }, { token: org.accessToken })).status,
    ).toBe(403);
  });

  it('frees a seat when a member is revoked, and grows with a members add-on', async () => {
    const org = await registerOrg(t.http);
    const members = [];
    for (let i = 0; i < 4; i++) members.push(await createMember(t, org, 'member'));
    expect(
      (await t.http.post('/users', { email: uniqueEmail('full'), password: STRONG_PASSWORD }, { token: org.accessToken })).status,
    ).toBe(403);
    await t.http.post(`/users/${members[0].userId}/revoke`, {}, { token: org.accessToken });
    expect(
      (await t.http.post('/users', { email: uniqueEmail('after-revoke'), password: STRONG_PASSWORD }, { token: org.accessToken })).status,
    ).toBe(201);

    await dataSource(t).query(
      `INSERT INTO organization_features (organization_id, feature_id) SELECT $1, id FROM features WHERE key = 'members'`,
      [org.organizationId],
    );
    expect((await t.http.post('/invitations', { email: uniqueEmail('addon') }, { token: org.accessToken })).status).toBe(201);
  });

  it('lets only one of two concurrent requests take the last seat', async () => {
    const org = await registerOrg(t.http);
    for (let i = 0; i < 3; i++) await createMember(t, org, 'member');
    const results = await Promise.all([
      t.http.post('/users', { email: uniqueEmail('race-a'), password: STRONG_PASSWORD }, { token: org.accessToken }),
      t.http.post('/invitations', { email: uniqueEmail('race-b') }, { token: org.accessToken }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 403]);
  });
});

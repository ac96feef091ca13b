import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { createMember, dataSource, setPackage, uniqueEmail } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let owner: RegisteredOrg;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t.http, { organization_name: 'Acme Corp' });
});
afterAll(async () => {
  await t?.close();
});

const fields = (body: { details?: Array<{ field: string }> }) => (body.details ?? []).map((d) => d.field).sort();

describe('GET /organizations/me', () => {
  it('answers the current organization with its settings resolved over the defaults', async () => {
    const res = await t.http.get('/organizations/me', { token: owner.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      id: owner.organizationId,
      name: 'Acme Corp',
      slug: null,
      status: 'active',
      settings: { timezone: 'UTC', locale: 'en', default_role: 'member', mfa_required: false, week_starts_on: 'monday' },
    });
  });

  it('is open to plain members (organization.view) and closed without credentials', async () => {
    const member = await createMember(t, owner, 'member');
    expect((await t.http.get('/organizations/me', { token: member.accessToken })).status).toBe(200);
    const anonymous = await t.http.get('/organizations/me');
    expect(anonymous.status).toBe(401);
  });
});

describe('PUT /organizations/me', () => {
  it('changes name, email and phone; null clears the phone', async () => {
    const org = await registerOrg(t.http);
    const res = await t.http.put(
      '/organizations/me',
      { name: '  Beta Inc ', email: 'Contact@Beta.Example', phone: '+14155550123' },
      { token: org.accessToken },
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ name: 'Beta Inc', email: 'contact@beta.example', phone: '+14155550123' });
    const cleared = await t.http.put('/organizations/me', { phone: null }, { token: org.accessToken });
    expect(cleared.body.data).toMatchObject({ name: 'Beta Inc', phone: null });
    const audit = await dataSource(t).query(
      `SELECT action, before, after FROM audit_logs WHERE organization_id = $1 AND action = 'organization.updated'`,
      [org.organizationId],
    );
    expect(audit[0].after).toMatchObject({ name: 'Beta Inc' });
  });

  it('names every bad field and changes nothing', async () => {
    const res = await t.http.put(
      '/organizations/me',
      { name: 'x', email: 'nope', phone: '12', plan: 'gold' },
      { token: owner.accessToken },
    );
    expect(res.status).toBe(400);
    expect(fields(res.body)).toEqual(['email', 'name', 'phone', 'plan']);
    expect((await t.http.get('/organizations/me', { token: owner.accessToken })).body.data.name).toBe('Acme Corp');
  });

  it('needs organization.edit', async () => {
    const manager = await createMember(t, owner, 'manager');
    const res = await t.http.put('/organizations/me', { name: 'Hijacked' }, { token: manager.accessToken });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('missing_permission');
  });
});

describe('PUT /organizations/me/settings', () => {
  it('merges the given keys, canonicalizing time zone and locale', async () => {
    const org = await registerOrg(t.http);
    const first = await t.http.put(
      '/organizations/me/settings',
      { settings: { timezone: 'europe/berlin', locale: 'de_de', week_starts_on: 'saturday' } },
      { token: org.accessToken },
    );
    expect(first.status).toBe(200);
    expect(first.body.data.settings).toEqual({
      timezone: 'Europe/Berlin',
      locale: 'de-DE',
      default_role: 'member',
      mfa_required: false,
      week_starts_on: 'saturday',
    });
    const second = await t.http.put(
      '/organizations/me/settings',
      { settings: { week_starts_on: 'sunday', default_role: 'manager' } },
      { token: org.accessToken },
    );
    expect(second.body.data.settings).toMatchObject({
      timezone: 'Europe/Berlin',
      locale: 'de-DE',
      week_starts_on: 'sunday',
      default_role: 'manager',
    });
  });

  it('refuses unknown keys and bad values, naming each', async () => {
    const res = await t.http.put(
      '/organizations/me/settings',
      { settings: { timezone: 'Mars/Olympus', locale: 'english', mfa_required: 'yes', week_starts_on: 'friday', theme: 'dark' } },
      { token: owner.accessToken },
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(fields(res.body)).toEqual([
      'settings.locale',
      'settings.mfa_required',
      'settings.theme',
      'settings.timezone',
      'settings.week_starts_on',
    ]);
  });

  it('refuses a missing or non-object settings body', async () => {
    for (const body of [{}, { settings: 'dark' }, { settings: ['UTC'] }]) {
      const res = await t.http.put('/organizations/me/settings', body, { token: owner.accessToken });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('accepts only an existing role other than owner as default_role', async () => {
    const unknown = await t.http.put('/organizations/me/settings', { settings: { default_role: 'wizard' } }, { token: owner.accessToken });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([{ field: 'settings.default_role', problems: [expect.stringMatching(/not a role/)] }]);
    const ownerRole = await t.http.put('/organizations/me/settings', { settings: { default_role: 'owner' } }, { token: owner.accessToken });
    expect(ownerRole.status).toBe(400);
    const current = await t.http.get('/organizations/me', { token: owner.accessToken });
    expect(current.body.data.settings.default_role).toBe('member');
  });
});

describe('GET /organizations/me/stats', () => {
  it('counts members, roles, invitations and storage', async () => {
    const org = await registerOrg(t.http);
    await createMember(t, org, 'member');
    const admin = await createMember(t, org, 'admin');
    await t.http.post('/roles', { name: 'Auditor', permissions: ['audit.view'] }, { token: org.accessToken });
    await t.http.post('/invitations', { email: uniqueEmail('invitee') }, { token: org.accessToken });
    await t.http.post(`/users/${admin.userId}/revoke`, { reason: 'left' }, { token: org.accessToken });

    const res = await t.http.get('/organizations/me/stats', { token: org.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      members: 2,
      active_members: 2,
      suspended_members: 0,
      revoked_members: 1,
      roles: 5,
      custom_roles: 1,
      pending_invitations: 1,
      storage_used_bytes: 0,
    });
    expect(Date.parse(res.body.data.generated_at)).not.toBeNaN();
  });
});

describe('GET /organizations and POST /organizations', () => {
  it('creates another organization owned by the caller, on the Free package, and lists both with the role', async () => {
    const org = await registerOrg(t.http, { organization_name: 'First Co' });
    const created = await t.http.post('/organizations', { name: 'Second Co', email: 'hi@second.example' }, { token: org.accessToken });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ name: 'Second Co', role: { slug: 'owner' }, current: false });
    const secondId = created.body.data.id;

    const list = await t.http.get('/organizations', { token: org.accessToken });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 2, page: 1, totalPages: 1 });
    const byName = Object.fromEntries(list.body.data.map((o: any) => [o.name, o]));
    expect(byName['First Co']).toMatchObject({ current: true, role: { slug: 'owner' } });
    expect(byName['Second Co']).toMatchObject({ current: false, role: { slug: 'owner' } });

    const pkg = await t.http.get('/organizations/me/package', { token: org.accessToken, organizationId: secondId });
    expect(pkg.body.data.package.slug).toBe('free');
    const roles = await t.http.get('/roles', { token: org.accessToken, organizationId: secondId });
    expect(roles.body.data.map((r: any) => r.slug).sort()).toEqual(['admin', 'manager', 'member', 'owner']);
  });

  it('refuses a bad name, and an API key (no user to own it)', async () => {
    expect((await t.http.post('/organizations', { name: '' }, { token: owner.accessToken })).status).toBe(400);
    expect((await t.http.post('/organizations', {}, { token: owner.accessToken })).status).toBe(400);
    const key = await t.http.post('/api-keys', { name: 'ci' }, { token: owner.accessToken });
    const res = await t.http.post('/organizations', { name: 'Keyed' }, { apiKey: key.body.data.key });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('user_session_required');
  });

  it('paginates the list', async () => {
    const org = await registerOrg(t.http);
    await t.http.post('/organizations', { name: 'Another' }, { token: org.accessToken });
    const page = await t.http.get('/organizations?page=2&limit=1', { token: org.accessToken });
    expect(page.body).toMatchObject({ total: 2, page: 2, limit: 1, totalPages: 2 });
    expect(page.body.data).toHaveLength(1);
    expect((await t.http.get('/organizations?limit=0', { token: org.accessToken })).status).toBe(400);
  });
});

describe('PUT /organizations/me/slug', () => {
  it('is refused on Free with feature_not_in_package, and works once the package includes custom_slug', async () => {
    const org = await registerOrg(t.http);
    const slug = `acme-${org.organizationId.slice(0, 8)}`;
    const refused = await t.http.put('/organizations/me/slug', { slug }, { token: org.accessToken });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('feature_not_in_package');
    expect(refused.body.details).toMatchObject({ feature: 'custom_slug', package: 'free', available_in: ['basic', 'platinum', 'diamond'] });

    await setPackage(t, org.organizationId, 'basic');
    const ok = await t.http.put('/organizations/me/slug', { slug }, { token: org.accessToken });
    expect(ok.status).toBe(200);
    expect(ok.body.data.slug).toBe(slug);
    expect((await t.http.get('/organizations/me', { token: org.accessToken })).body.data.slug).toBe(slug);

    const other = await registerOrg(t.http);
    await setPackage(t, other.organizationId, 'diamond');
    const taken = await t.http.put('/organizations/me/slug', { slug }, { token: other.accessToken });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('slug_taken');
  });

  it('a purchased custom_slug add-on opens the gate on Free too', async () => {
    const org = await registerOrg(t.http);
    await dataSource(t).query(
      `INSERT INTO organization_features (organization_id, feature_id) SELECT $1, id FROM features WHERE key = 'custom_slug'`,
      [org.organizationId],
    );
    const res = await t.http.put('/organizations/me/slug', { slug: `addon-${org.organizationId.slice(0, 8)}` }, { token: org.accessToken });
    expect(res.status).toBe(200);
  });

  it('accepts only 3–48 lowercase letters, digits and inner hyphens, and no reserved word', async () => {
    const org = await registerOrg(t.http);
    await setPackage(t, org.organizationId, 'platinum');
    for (const slug of ['Acme', 'ab', 'a'.repeat(49), '-acme', 'acme-', 'ac me', 'acme_co', 42]) {
      const res = await t.http.put('/organizations/me/slug', { slug }, { token: org.accessToken });
      expect(res.status, String(slug)).toBe(400);
    }
    const reserved = await t.http.put('/organizations/me/slug', { slug: 'admin' }, { token: org.accessToken });
    expect(reserved.status).toBe(400);
    expect(reserved.body.code).toBe('slug_reserved');
    const longest = `${org.organizationId.replace(/-/g, '')}${'b'.repeat(16)}`;
    expect((await t.http.put('/organizations/me/slug', { slug: longest }, { token: org.accessToken })).status).toBe(200);
  });

  it('checks the permission before the package', async () => {
    const manager = await createMember(t, owner, 'manager');
    const res = await t.http.put('/organizations/me/slug', { slug: 'managers-slug' }, { token: manager.accessToken });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('missing_permission');
  });
});

import { ProviderCache } from '@atrium/integrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg } from '../support/factories.js';
import { createProvider, sendSigned, unlimitedProviders } from '../support/integrations.js';
import { LogCapture } from '../support/log-capture.js';
import { createMember } from '../support/members.js';
import { db } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
const logs = new LogCapture();

beforeAll(async () => {
  t = await startTestApp({ LOG_LEVEL: 'debug' }, { logDestination: logs });
});
afterAll(async () => {
  await t?.close();
});

const hook = (orgId: string, name: string) => `/webhooks/${orgId}/${name}`;

describe('creating providers', () => {
  it('shows a generated secret once, stores it sealed, and never answers it again', async () => {
    const owner = await registerOrg(t.http);
    const created = await t.http.post(
      '/integrations/providers',
      {
        name: 'User-Service',
        signature_scheme: 'standard-webhooks',
        base_url: 'http://localhost:8000/api/mock',
        health_path: '/health',
        event_types: ['user.created'],
      },
      { token: owner.accessToken },
    );
    expect(created.status).toBe(201);
    const p = created.body.data;
    expect(p).toMatchObject({
      name: 'user-service',
      signature_scheme: 'standard-webhooks',
      base_url: 'http://localhost:8000/api/mock',
      health_path: '/health',
      event_types: ['user.created'],
      previous_secret_expires_at: null,
    });
    expect(p.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);

    const [row] = await db(t).query('SELECT * FROM webhook_providers WHERE id = $1', [p.id]);
    expect(row.organization_id).toBe(owner.organizationId);
    expect(JSON.stringify(row)).not.toContain(p.secret.slice(6));

    for (const res of [
      await t.http.get(`/integrations/providers/${p.id}`, { token: owner.accessToken }),
      await t.http.get('/integrations/providers', { token: owner.accessToken }),
      await t.http.request(
        'PATCH',
        `/integrations/providers/${p.id}`,
        { base_url: 'https://users.example.test' },
        { token: owner.accessToken },
      ),
    ]) {
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain(p.secret.slice(6));
      expect(JSON.stringify(res.body)).not.toMatch(/secret"\s*:/);
    }
    const list = await t.http.get('/integrations/providers', { token: owner.accessToken });
    expect(list.body).toMatchObject({ total: 1, page: 1, limit: 10, totalPages: 1 });
    expect(list.body.data[0]).toMatchObject({ id: p.id, base_url: 'https://users.example.test' });

    // The secret it showed is the one webhooks are verified with.
    const sent = await sendSigned(t, hook(owner.organizationId, 'user-service'), 'standard-webhooks', p.secret, { type: 'user.created' });
    expect(sent.status).toBe(200);
  });

  it('takes a secret the sender already uses, in the scheme’s format, and names every bad field', async () => {
    const owner = await registerOrg(t.http);
    await unlimitedProviders(t, owner.organizationId);
    const given = await createProvider(t, owner, {
      name: 'payments',
      signature_scheme: 'hmac-sha256',
      secret: 'a-shared-secret-of-the-partner-42',
    });
    expect(given.secret).toBe('a-shared-secret-of-the-partner-42');

    const bad = await t.http.post(
      '/integrations/providers',
      { name: 'Not a slug!', signature_scheme: 'md5', base_url: 'ftp://x', event_types: 'user.created', extra: 1 },
      { token: owner.accessToken },
    );
    expect(bad.status).toBe(400);
    const fields = (bad.body.details as Array<{ field: string }>).map((d) => d.field).sort();
    expect(fields).toEqual(['base_url', 'event_types', 'extra', 'name', 'signature_scheme']);

    const weak = await t.http.post(
      '/integrations/providers',
      { name: 'mail', signature_scheme: 'standard-webhooks', secret: 'plain-text-secret-without-prefix' },
      { token: owner.accessToken },
    );
    expect(weak.status).toBe(400);
    expect(weak.body.details).toEqual([{ field: 'secret', problems: [expect.stringContaining('whsec_')] }]);

    const taken = await t.http.post(
      '/integrations/providers',
      { name: 'payments', signature_scheme: 'stripe' },
      { token: owner.accessToken },
    );
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('provider_name_taken');
    expect((await t.http.get('/integrations/providers', { token: owner.accessToken })).body.total).toBe(1);
  });

  it('stops at the package limit (Free: one provider) with 403 package_limit_reached, and a deleted one frees its slot and name', async () => {
    const owner = await registerOrg(t.http);
    const first = await createProvider(t, owner, { name: 'crm' });
    const second = await t.http.post(
      '/integrations/providers',
      { name: 'erp', signature_scheme: 'hmac-sha256' },
      { token: owner.accessToken },
    );
    expect(second.status).toBe(403);
    expect(second.body).toMatchObject({ code: 'package_limit_reached', details: { resource: 'webhook_providers', limit: 1, used: 1 } });
    expect((await t.http.delete(`/integrations/providers/${first.id}`, undefined, { token: owner.accessToken })).status).toBe(204);
    const again = await createProvider(t, owner, { name: 'crm' });
    expect(again.id).not.toBe(first.id);
  });

  it('needs integrations.manage to change providers and integrations.view to read them', async () => {
    const owner = await registerOrg(t.http);
    const p = await createProvider(t, owner);
    const manager = await createMember(t, owner, 'manager');
    const member = await createMember(t, owner, 'member');
    expect((await t.http.get(`/integrations/providers/${p.id}`, { token: manager.accessToken })).status).toBe(200);
    expect(
      (await t.http.post('/integrations/providers', { name: 'x', signature_scheme: 'stripe' }, { token: manager.accessToken })).status,
    ).toBe(403);
    expect((await t.http.post(`/integrations/providers/${p.id}/rotate-secret`, {}, { token: manager.accessToken })).status).toBe(403);
    expect((await t.http.get('/integrations/providers', { token: member.accessToken })).status).toBe(403);
  });
});

describe('another organization', () => {
  it('cannot read, change, rotate or delete a provider, nor send as one through its own name: 404', async () => {
    const owner = await registerOrg(t.http);
    const p = await createProvider(t, owner, { name: 'billing-sync' });
    const stranger = await registerOrg(t.http);
    const opts = { token: stranger.accessToken };
    for (const res of [
      await t.http.get(`/integrations/providers/${p.id}`, opts),
      await t.http.request('PATCH', `/integrations/providers/${p.id}`, { name: 'mine' }, opts),
      await t.http.post(`/integrations/providers/${p.id}/rotate-secret`, {}, opts),
      await t.http.delete(`/integrations/providers/${p.id}`, undefined, opts),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('provider_not_found');
      expect(JSON.stringify(res.body)).not.toContain(p.secret);
    }
    expect((await t.http.get('/integrations/providers', opts)).body.total).toBe(0);
    // The provider's name under the stranger's organization is nobody.
    const misrouted = await sendSigned(t, hook(stranger.organizationId, 'billing-sync'), 'hmac-sha256', p.secret, { type: 'x' });
    expect(misrouted.status).toBe(404);
    // Unchanged for its owner.
    const mine = await t.http.get(`/integrations/providers/${p.id}`, { token: owner.accessToken });
    expect(mine.body.data).toMatchObject({ name: 'billing-sync', secret_rotated_at: null });
  });
});

describe('rotating the secret', () => {
  it('answers the new secret once; both verify during the grace window; after it only the new one', async () => {
    const owner = await registerOrg(t.http);
    const p = await createProvider(t, owner, { name: 'rotating', signature_scheme: 'stripe' });
    const path = hook(owner.organizationId, 'rotating');
    const rotated = await t.http.post(`/integrations/providers/${p.id}/rotate-secret`, {}, { token: owner.accessToken });
    expect(rotated.status).toBe(200);
    const r = rotated.body.data;
    expect(r.secret).toMatch(/^whsec_/);
    expect(r.secret).not.toBe(p.secret);
    // The default window: 24 hours.
    const window = new Date(r.previous_secret_expires_at).getTime() - new Date(r.secret_rotated_at).getTime();
    expect(window).toBe(24 * 3600 * 1000);

    expect((await sendSigned(t, path, 'stripe', p.secret, { id: 'evt_old_1', type: 'a' })).status).toBe(200);
    expect((await sendSigned(t, path, 'stripe', r.secret, { id: 'evt_new_1', type: 'a' })).status).toBe(200);

    // The window ends (moved into the past, as 24 hours passing would; so does the instance's copy of the provider).
    await db(t).query(`UPDATE webhook_providers SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`, [p.id]);
    t.app.get(ProviderCache).clear();
    const old = await sendSigned(t, path, 'stripe', p.secret, { id: 'evt_old_2', type: 'a' });
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('signature_invalid');
    expect((await sendSigned(t, path, 'stripe', r.secret, { id: 'evt_new_2', type: 'a' })).status).toBe(200);
    const shown = await t.http.get(`/integrations/providers/${p.id}`, { token: owner.accessToken });
    expect(shown.body.data.previous_secret_expires_at).toBeNull();
    const stored = await db(t).query(`SELECT external_id FROM webhook_events WHERE provider_id = $1 ORDER BY external_id`, [p.id]);
    expect(stored.map((e: { external_id: string }) => e.external_id)).toEqual(['evt_new_1', 'evt_new_2', 'evt_old_1']);
  });

  it('a second rotation ends the first one’s old secret at once (only two secrets ever verify)', async () => {
    const owner = await registerOrg(t.http);
    const p = await createProvider(t, owner, { name: 'twice' });
    const path = hook(owner.organizationId, 'twice');
    const one = (await t.http.post(`/integrations/providers/${p.id}/rotate-secret`, {}, { token: owner.accessToken })).body.data;
    const two = (
      await t.http.post(
        `/integrations/providers/${p.id}/rotate-secret`,
        { secret: 'the-partner-chose-this-secret-2' },
        { token: owner.accessToken },
      )
    ).body.data;
    expect(two.secret).toBe('the-partner-chose-this-secret-2');
    expect((await sendSigned(t, path, 'hmac-sha256', p.secret, { event_id: 'a' })).status).toBe(401);
    expect((await sendSigned(t, path, 'hmac-sha256', one.secret, { event_id: 'b' })).status).toBe(200);
    expect((await sendSigned(t, path, 'hmac-sha256', two.secret, { event_id: 'c' })).status).toBe(200);
  });
});

describe('deleting', () => {
  it('answers the provider’s senders 410 Gone, storing nothing, and keeps its events in the log', async () => {
    const owner = await registerOrg(t.http);
    const p = await createProvider(t, owner, { name: 'leaving' });
    const path = hook(owner.organizationId, 'leaving');
    expect((await sendSigned(t, path, 'hmac-sha256', p.secret, { event_id: 'before', type: 'x' })).status).toBe(200);
    expect((await t.http.delete(`/integrations/providers/${p.id}`, undefined, { token: owner.accessToken })).status).toBe(204);
    const gone = await sendSigned(t, path, 'hmac-sha256', p.secret, { event_id: 'after', type: 'x' });
    expect(gone.status).toBe(410);
    expect(gone.body.code).toBe('provider_gone');
    expect((await t.http.get(`/integrations/providers/${p.id}`, { token: owner.accessToken })).status).toBe(404);
    const [row] = await db(t).query(`SELECT secret_sealed, previous_secret_sealed FROM webhook_providers WHERE id = $1`, [p.id]);
    expect(row).toEqual({ secret_sealed: null, previous_secret_sealed: null });
    const events = await t.http.get(`/integrations/webhook-events?provider=${p.id}`, { token: owner.accessToken });
    expect(events.body.data.map((e: { external_id: string }) => e.external_id)).toEqual(['before']);
    expect(events.body.data[0].service).toMatchObject({ name: 'leaving', deleted: true });
  });
});

describe('secrets outside the responses that show them', () => {
  it('are in no audit entry and no log line', async () => {
    const owner = await registerOrg(t.http);
    const p = await createProvider(t, owner, { name: 'audited', signature_scheme: 'standard-webhooks' });
    await t.http.request(
      'PATCH',
      `/integrations/providers/${p.id}`,
      { event_types: ['user.created', 'user.updated'] },
      { token: owner.accessToken },
    );
    const rotated = (await t.http.post(`/integrations/providers/${p.id}/rotate-secret`, {}, { token: owner.accessToken })).body.data;
    await sendSigned(t, hook(owner.organizationId, 'audited'), 'standard-webhooks', rotated.secret, { type: 'user.created' });
    await sendSigned(t, hook(owner.organizationId, 'audited'), 'standard-webhooks', 'whsec_' + Buffer.alloc(32, 7).toString('base64'), {
      type: 'x',
    });
    await t.http.delete(`/integrations/providers/${p.id}`, undefined, { token: owner.accessToken });

    const audit = await db(t).query(`SELECT action, before, after FROM audit_logs WHERE resource_id = $1 ORDER BY created_at, action`, [
      p.id,
    ]);
    expect(audit.map((a: { action: string }) => a.action).sort()).toEqual([
      'webhook_provider.created',
      'webhook_provider.deleted',
      'webhook_provider.secret_rotated',
      'webhook_provider.updated',
    ]);
    const rotation = audit.find((a: { action: string }) => a.action === 'webhook_provider.secret_rotated');
    expect(rotation.after.previous_secret_expires_at).not.toBeNull();
    const everything = JSON.stringify(audit) + logs.lines.join('');
    expect(logs.lines.length).toBeGreaterThan(0);
    for (const secret of [p.secret, rotated.secret]) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(secret.slice(6, 30));
    }
  });
});

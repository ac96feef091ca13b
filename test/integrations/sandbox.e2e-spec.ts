import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundError, outboundGet } from '../../libs/integrations/src/outbound/outbound-http.js';
import { startSandbox, type Sandbox } from '../../apps/sandbox/src/sandbox.js';
import { eventually } from '../support/billing.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { createProvider, type CreatedProvider, unlimitedProviders } from '../support/integrations.js';
import { db } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let owner: RegisteredOrg;
let provider: CreatedProvider;
const sandboxes: Sandbox[] = [];

beforeAll(async () => {
  t = await startTestApp({ INTEGRATION_HEALTH_INTERVAL_SECONDS: '0' });
  owner = await registerOrg(t.http);
  await unlimitedProviders(t, owner.organizationId);
  await db(t).query(`UPDATE organizations SET slug = $2 WHERE id = $1`, [owner.organizationId, `sbx-${randomUUID().slice(0, 8)}`]);
  provider = await createProvider(t, owner, { name: 'user-service', signature_scheme: 'hmac-sha256' });
});
afterAll(async () => {
  for (const s of sandboxes) await s.close();
  await t?.close();
});

const sandboxFor = async (opts: Parameters<typeof startSandbox>[0]) => {
  const s = await startSandbox(opts);
  sandboxes.push(s);
  return s;
};
const post = (s: Sandbox, path: string, body: unknown) =>
  fetch(`${s.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const eventFor = (externalId: string) =>
  eventually(async () => {
    const res = await t.http.get(`/integrations/webhook-events?provider=user-service&limit=100`, { token: owner.accessToken });
    return (res.body.data as Array<{ external_id: string; event_type: string; payload: any; status: string }>).find(
      (e) => e.external_id === externalId,
    );
  }, `event ${externalId} in the log`);

describe('the partner sandbox', () => {
  it('fires a signed webhook for each record it creates, which Atrium verifies and stores', async () => {
    const s = await sandboxFor({ target: `${t.url}/api/v1/webhooks/${owner.organizationId}/user-service`, secret: provider.secret });
    const created = await post(s, '/users/', { email: 'test@example.com', name: 'Test User', status: 'active' });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-webhook-status')).toBe('200');
    const body = (await created.json()) as { status: string; data: { id: string; email: string } };
    expect(body).toMatchObject({ status: 'success', data: { email: 'test@example.com', name: 'Test User', status: 'active' } });

    const [sent] = s.webhooks;
    expect(sent).toMatchObject({ type: 'user.created', status: 200, error: null });
    const event = await eventFor(sent.event_id);
    expect(event).toMatchObject({
      event_type: 'user.created',
      payload: { type: 'user.created', email: 'test@example.com', id: body.data.id },
    });

    const list = await fetch(`${s.baseUrl}/users`);
    expect(((await list.json()) as { data: { results: unknown[] } }).data.results).toHaveLength(1);
  });

  it('names the organization by X-Tenant-Domain for the documents’ route, for each kind of record', async () => {
    const [{ slug }] = await db(t).query<Array<{ slug: string }>>(`SELECT slug FROM organizations WHERE id = $1`, [owner.organizationId]);
    const s = await sandboxFor({
      target: `${t.url}/api/v1/integrations/webhooks/user-service`,
      secret: provider.secret,
      organization: slug,
    });
    for (const [path, type] of [
      ['/subscriptions', 'subscription.created'],
      ['/notifications', 'notification.created'],
    ] as const) {
      expect((await post(s, path, { user_id: randomUUID() })).status).toBe(201);
      const sent = s.webhooks.at(-1)!;
      expect(sent).toMatchObject({ type, status: 200 });
      expect((await eventFor(sent.event_id)).event_type).toBe(type);
    }
  });

  it('gets 401 with a wrong secret, and Atrium stores nothing', async () => {
    const s = await sandboxFor({ target: `${t.url}/api/v1/webhooks/${owner.organizationId}/user-service`, secret: 'x'.repeat(64) });
    const created = await post(s, '/users', { email: 'forged@example.com' });
    expect(created.headers.get('x-webhook-status')).toBe('401');
    expect(s.webhooks[0]).toMatchObject({ status: 401 });
    const [{ n }] = await db(t).query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM webhook_events WHERE external_id = $1`, [
      s.webhooks[0].event_id,
    ]);
    expect(n).toBe(0);
  });

  it('switches faults at runtime, refusing bad values, and pages its data', async () => {
    const s = await sandboxFor({ seed: { users: 7 } });
    const bad = await post(s, '/faults', { latency_ms: -1, error_rate: 2, down: 'yes' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe(
      'latency_ms must be a number ≥ 0; error_rate must be a number from 0 to 1; down must be true or false',
    );
    expect((await fetch(`${s.baseUrl}/health`)).status).toBe(200);
    expect((await post(s, '/faults', { error_rate: 1 })).status).toBe(200);
    expect((await fetch(`${s.baseUrl}/health`)).status).toBe(500);
    expect((await post(s, '/faults', { error_rate: 0, down: true })).status).toBe(200);
    expect((await fetch(`${s.baseUrl}/users`)).status).toBe(503);
    await post(s, '/faults', { down: false });
    const page = await fetch(`${s.baseUrl}/api/data/users?page=2&limit=5`);
    expect(((await page.json()) as { data: { records: unknown[]; total: number } }).data).toMatchObject({ total: 7, records: [{}, {}] });
  });
});

describe('outbound calls', () => {
  it('refuse loopback unless allowed, so a provider’s base_url cannot point at Atrium’s own host by default', async () => {
    const s = await sandboxFor({});
    const url = `${s.baseUrl}/health`;
    const refused = await outboundGet(url, { policy: { allowLoopback: false, allowPrivate: true }, timeoutMs: 2000, maxBytes: 1000 }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(OutboundError);
    expect((refused as OutboundError).kind).toBe('refused');
    // Also when a name resolves to loopback: checked on the resolved address.
    const byName = await outboundGet(url.replace('127.0.0.1', 'localhost'), {
      policy: { allowLoopback: false, allowPrivate: false },
      timeoutMs: 2000,
      maxBytes: 1000,
    }).catch((e: unknown) => e);
    expect((byName as OutboundError).message).toMatch(/^Refused: localhost resolves to/);
    expect(s.requests).toHaveLength(0);
    const allowed = await outboundGet(url, { policy: { allowLoopback: true, allowPrivate: false }, timeoutMs: 2000, maxBytes: 100_000 });
    expect(allowed.status).toBe(200);
  });
});

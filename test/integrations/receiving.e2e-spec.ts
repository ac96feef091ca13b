import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookHandlerRegistry } from '@atrium/integrations';
import { eventually } from '../support/billing.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { type CreatedProvider, createProvider, sendSigned, unlimitedProviders } from '../support/integrations.js';
import { db } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let owner: RegisteredOrg;
const providers: Record<string, CreatedProvider> = {};
/** Calls of the test handler that failed on purpose, by event id. */
const failedOnce = new Set<string>();

beforeAll(async () => {
  // The flaky handler's retry comes 50 ms after its failure, not a minute.
  t = await startTestApp({ WEBHOOK_RETRY_DELAYS_SECONDS: '0.05,0.05', WEBHOOK_RETRY_JITTER: '0' });
  await db(t).query(`CREATE TABLE IF NOT EXISTS test_webhook_effects (event_id uuid PRIMARY KEY, type text NOT NULL)`);
  // A handler as the next slice's will be: its effect is written through `em`, so it exists once per event.
  const registry = t.app.get(WebhookHandlerRegistry);
  const effect = {
    handle: async (event: { id: string; type: string }, em: EntityManager) => {
      await em.query(`INSERT INTO test_webhook_effects (event_id, type) VALUES ($1, $2)`, [event.id, event.type]);
    },
  };
  registry.register('test.effect', effect);
  registry.register('test.flaky', {
    handle: async (event, em) => {
      if (!failedOnce.has(event.id)) {
        failedOnce.add(event.id);
        throw new Error('the partner API timed out');
      }
      await effect.handle(event, em);
    },
  });
  owner = await registerOrg(t.http);
  await unlimitedProviders(t, owner.organizationId);
  await db(t).query(`UPDATE organizations SET slug = $2 WHERE id = $1`, [owner.organizationId, `acme-${randomUUID().slice(0, 8)}`]);
  for (const scheme of ['hmac-sha256', 'standard-webhooks', 'stripe'] as const) {
    providers[scheme] = await createProvider(t, owner, { name: `${scheme}-svc`, signature_scheme: scheme });
  }
});
afterAll(async () => {
  await t?.close();
});

const slugOf = async (orgId: string) =>
  (await db(t).query<Array<{ slug: string }>>(`SELECT slug FROM organizations WHERE id = $1`, [orgId]))[0].slug;
const storedCount = async (providerId: string) =>
  (await db(t).query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM webhook_events WHERE provider_id = $1`, [providerId]))[0].n;
const statusOf = (eventId: string) =>
  eventually(async () => {
    const [row] = await db(t).query<Array<{ status: string }>>(`SELECT status FROM webhook_events WHERE id = $1`, [eventId]);
    return row && ['completed', 'ignored'].includes(row.status) ? row.status : undefined;
  }, `event ${eventId} settled`);
const payloadFor = (scheme: string, n: string) =>
  scheme === 'stripe' ? { id: `evt_${n}`, type: 'test.effect' } : { event_id: n, type: 'test.effect' };

describe.each(['hmac-sha256', 'standard-webhooks', 'stripe'] as const)('a %s provider over HTTP', (scheme) => {
  const path = () => `/webhooks/${owner.organizationId}/${scheme}-svc`;

  it('accepts a valid signature, stores the exact body once, and processes it', async () => {
    const p = providers[scheme];
    const body = JSON.stringify(payloadFor(scheme, randomUUID()));
    const res = await sendSigned(t, path(), scheme, p.secret, body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ data: { duplicate: false }, message: 'Webhook received' });
    const [row] = await db(t).query(`SELECT convert_from(body, 'UTF8') AS body, event_type FROM webhook_events WHERE id = $1`, [
      res.body.data.event_id,
    ]);
    expect(row).toEqual({ body, event_type: 'test.effect' });
    expect(await statusOf(res.body.data.event_id)).toBe('completed');
  });

  it('refuses a wrong secret, a signature of the wrong length, a body changed by one byte, a missing header, stale and future timestamps — storing nothing', async () => {
    const p = providers[scheme];
    const before = await storedCount(p.id);
    const other = (await createProvider(t, owner, { signature_scheme: scheme })).secret;
    const body = JSON.stringify(payloadFor(scheme, randomUUID()));
    const signatureHeader = { 'hmac-sha256': 'X-Signature', 'standard-webhooks': 'webhook-signature', stripe: 'Stripe-Signature' }[scheme];
    const signed = (await import('@atrium/integrations')).SCHEMES[scheme].sign(body, p.secret, new Date(), 'msg_x');
    const send = (text: string, headers: Record<string, string>) =>
      t.http.request('POST', path(), text, { headers: { 'content-type': 'application/json', ...headers } });

    const wrongSecret = await sendSigned(t, path(), scheme, other, body);
    expect([wrongSecret.status, wrongSecret.body.code]).toEqual([401, 'signature_invalid']);
    const short = await send(body, { ...signed, [signatureHeader]: signed[signatureHeader].slice(0, -4) });
    expect([short.status, short.body.code]).toEqual([401, 'signature_invalid']);
    const changed = await send(body.replace('test.effect', 'test.effecT'), signed);
    expect([changed.status, changed.body.code]).toEqual([401, 'signature_invalid']);
    const missing = await send(body, {});
    expect([missing.status, missing.body.code]).toEqual([400, 'signature_header_missing']);
    expect(missing.body.details.missing).toContain(signatureHeader.toLowerCase());
    if (scheme !== 'hmac-sha256') {
      // 30 s past the tolerance either way: over HTTP on a loaded machine a request signed 301 s ahead can reach the
      // server's clock more than a second later and fall inside it (the unit specs test the exact boundary).
      for (const offset of [-330_000, 330_000]) {
        const late = await sendSigned(t, path(), scheme, p.secret, body, { at: new Date(Date.now() + offset) });
        expect([late.status, late.body.code]).toEqual([400, 'signature_timestamp_out_of_tolerance']);
      }
    }
    expect(await storedCount(p.id)).toBe(before);
  });
});

describe('the receiving routes', () => {
  it('name the organization by id, by slug, or by X-Tenant-Domain, at /webhooks and /integrations/webhooks', async () => {
    const p = providers['hmac-sha256'];
    const slug = await slugOf(owner.organizationId);
    const tenant = { 'X-Tenant-Domain': slug };
    const answers = [
      await sendSigned(t, `/webhooks/${owner.organizationId}/hmac-sha256-svc`, 'hmac-sha256', p.secret, {
        event_id: randomUUID(),
        type: 'a',
      }),
      await sendSigned(t, `/webhooks/${slug}/hmac-sha256-svc`, 'hmac-sha256', p.secret, { event_id: randomUUID(), type: 'a' }),
      await sendSigned(t, `/webhooks/hmac-sha256-svc`, 'hmac-sha256', p.secret, { event_id: randomUUID(), type: 'a' }, { headers: tenant }),
      await sendSigned(
        t,
        `/integrations/webhooks/hmac-sha256-svc`,
        'hmac-sha256',
        p.secret,
        { event_id: randomUUID(), type: 'a' },
        { headers: tenant },
      ),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.body.data.event_id)).size).toBe(4);

    const noTenant = await sendSigned(t, `/webhooks/hmac-sha256-svc`, 'hmac-sha256', p.secret, { event_id: randomUUID() });
    expect([noTenant.status, noTenant.body.code]).toEqual([400, 'tenant_required']);
    for (const path of [
      `/webhooks/${randomUUID()}/hmac-sha256-svc`,
      `/webhooks/no-such-org-${randomUUID().slice(0, 6)}/hmac-sha256-svc`,
      `/webhooks/${slug}/nobody`,
    ]) {
      const unknown = await sendSigned(t, path, 'hmac-sha256', p.secret, { event_id: randomUUID() });
      expect([unknown.status, unknown.body.code]).toEqual([404, 'provider_not_found']);
    }
  });

  it('refuse a body over 1 MB with 413, storing nothing', async () => {
    const p = providers['hmac-sha256'];
    const before = await storedCount(p.id);
    const big = JSON.stringify({ event_id: randomUUID(), pad: 'x'.repeat(1024 * 1024) });
    const res = await sendSigned(t, `/webhooks/${owner.organizationId}/hmac-sha256-svc`, 'hmac-sha256', p.secret, big);
    expect(res.status).toBe(413);
    expect(await storedCount(p.id)).toBe(before);
  });

  it('take bodies of any content type, verified on their exact bytes', async () => {
    const p = providers['hmac-sha256'];
    const text = 'event=user.created&id=42';
    const { SCHEMES } = await import('@atrium/integrations');
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await t.http.request('POST', `/webhooks/${owner.organizationId}/hmac-sha256-svc`, text, {
        headers: { 'content-type': type, 'X-Event-Type': 'form.sent', ...SCHEMES['hmac-sha256'].sign(text, p.secret, new Date()) },
      });
      expect(res.status).toBe(200);
      const [row] = await db(t).query(`SELECT convert_from(body, 'UTF8') AS body, event_type FROM webhook_events WHERE id = $1`, [
        res.body.data.event_id,
      ]);
      expect(row).toEqual({ body: text, event_type: 'form.sent' });
    }
  });

  it('answer a duplicate 200 with the original event id, storing it once', async () => {
    const p = providers['standard-webhooks'];
    const path = `/webhooks/${owner.organizationId}/standard-webhooks-svc`;
    const id = `msg_${randomUUID()}`;
    const first = await sendSigned(t, path, 'standard-webhooks', p.secret, { type: 'user.created', n: 1 }, { eventId: id });
    // The sender's retry: the same webhook-id, signed again later (a new timestamp).
    const again = await sendSigned(t, path, 'standard-webhooks', p.secret, { type: 'user.created', n: 1 }, { eventId: id });
    expect(first.body.data).toMatchObject({ duplicate: false });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      data: { event_id: first.body.data.event_id, duplicate: true },
      message: 'Webhook already received',
    });
    expect((await db(t).query(`SELECT count(*)::int AS n FROM webhook_events WHERE external_id = $1`, [id]))[0].n).toBe(1);
  });

  it('take the event id from event_id, the scheme’s id, or the body’s hash; the type from type or X-Event-Type; and keep no credentials', async () => {
    const hmac = providers['hmac-sha256'];
    const path = `/webhooks/${owner.organizationId}/hmac-sha256-svc`;
    const plain = JSON.stringify({ user_id: randomUUID(), email: 'x@example.test' });
    const hashed = await sendSigned(t, path, 'hmac-sha256', hmac.secret, plain, {
      headers: { 'X-Event-Type': 'user.updated', authorization: 'Bearer not-for-storage', 'X-Request-Source': 'crm' },
    });
    const [row] = await db(t).query(`SELECT external_id, event_type, headers FROM webhook_events WHERE id = $1`, [
      hashed.body.data.event_id,
    ]);
    const { createHash } = await import('node:crypto');
    expect(row.external_id).toBe(createHash('sha256').update(plain).digest('hex'));
    expect(row.event_type).toBe('user.updated');
    expect(row.headers['x-request-source']).toBe('crm');
    expect(row.headers.authorization).toBeUndefined();
    expect(row.headers['x-signature']).toMatch(/^sha256=/);

    const named = await sendSigned(
      t,
      path,
      'hmac-sha256',
      hmac.secret,
      { event_id: 7, type: 'in.body' },
      { headers: { 'X-Event-Type': 'in.header' } },
    );
    const [n] = await db(t).query(`SELECT external_id, event_type FROM webhook_events WHERE id = $1`, [named.body.data.event_id]);
    expect(n).toEqual({ external_id: '7', event_type: 'in.body' });
  });

  it('leave billing’s POST /webhooks/test/stripe as it was, and `test` is no organization’s slug', async () => {
    const res = await t.http.post('/webhooks/test/stripe', {}, { token: owner.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ received: true, type: 'payment_intent.succeeded' });
    const slug = await t.http.put('/organizations/me/slug', { slug: 'test' }, { token: owner.accessToken });
    expect([slug.status, slug.body.code]).toEqual([400, 'slug_reserved']);
  });
});

describe('processing', () => {
  const path = () => `/webhooks/${owner.organizationId}/hmac-sha256-svc`;

  it('marks an event of a type nobody handles `ignored`, with its attempt recorded', async () => {
    const res = await sendSigned(t, path(), 'hmac-sha256', providers['hmac-sha256'].secret, {
      event_id: randomUUID(),
      type: 'nobody.handles',
    });
    expect(await statusOf(res.body.data.event_id)).toBe('ignored');
    const detail = await t.http.get(`/integrations/webhook-events/${res.body.data.event_id}`, { token: owner.accessToken });
    expect(detail.body.data).toMatchObject({
      status: 'ignored',
      retry_count: 0,
      attempts: [{ attempt: 1, outcome: 'ignored', error: null }],
    });
    expect(detail.body.data.processed_at).not.toBeNull();
  });

  it('runs the handler registered for the type once; a failed attempt is recorded and the retry completes it', async () => {
    const res = await sendSigned(t, path(), 'hmac-sha256', providers['hmac-sha256'].secret, { event_id: randomUUID(), type: 'test.flaky' });
    const id = res.body.data.event_id;
    expect(await statusOf(id)).toBe('completed');
    const detail = (await t.http.get(`/integrations/webhook-events/${id}`, { token: owner.accessToken })).body.data;
    expect(detail).toMatchObject({ status: 'completed', retry_count: 1, last_error: null });
    expect(detail.attempts).toMatchObject([
      { attempt: 1, outcome: 'failed', error: 'the partner API timed out' },
      { attempt: 2, outcome: 'completed', error: null },
    ]);
    expect(await db(t).query(`SELECT type FROM test_webhook_effects WHERE event_id = $1`, [id])).toEqual([{ type: 'test.flaky' }]);
  });

  it('ignores a type outside the provider’s event_types even when a handler exists', async () => {
    const p = await createProvider(t, owner, { event_types: ['user.created'] });
    const res = await sendSigned(t, `/webhooks/${owner.organizationId}/${p.name}`, 'hmac-sha256', p.secret, {
      event_id: randomUUID(),
      type: 'test.effect',
    });
    expect(await statusOf(res.body.data.event_id)).toBe('ignored');
    expect(await db(t).query(`SELECT 1 FROM test_webhook_effects WHERE event_id = $1`, [res.body.data.event_id])).toEqual([]);
  });
});

describe('the event log', () => {
  it('filters by provider (id or name), status, type and time, in the house list shape, at both paths', async () => {
    const org = await registerOrg(t.http);
    await unlimitedProviders(t, org.organizationId);
    const a = await createProvider(t, org, { name: 'user-service' });
    const b = await createProvider(t, org, { name: 'payment-service' });
    const send = (p: CreatedProvider, type: string) =>
      sendSigned(t, `/webhooks/${org.organizationId}/${p.name}`, 'hmac-sha256', p.secret, {
        event_id: randomUUID(),
        type,
        email: 'u@example.test',
      });
    // Types nobody handles (user.deleted, refund.issued) end `ignored`, test.effect `completed`.
    const e1 = (await send(a, 'user.deleted')).body.data.event_id;
    const e2 = (await send(a, 'test.effect')).body.data.event_id;
    const e3 = (await send(b, 'refund.issued')).body.data.event_id;
    await Promise.all([e1, e2, e3].map(statusOf));
    const opts = { token: org.accessToken };
    const ids = (res: { body: { data: Array<{ id: string }> } }) => res.body.data.map((e) => e.id);

    const all = await t.http.get('/integrations/webhook-events', opts);
    expect(all.body).toMatchObject({ total: 3, page: 1, limit: 10, totalPages: 1 });
    expect(ids(all)).toEqual([e3, e2, e1]);
    expect(all.body.data[2]).toMatchObject({
      service: { id: a.id, name: 'user-service', base_url: null },
      event_type: 'user.deleted',
      payload: { type: 'user.deleted', email: 'u@example.test' },
      status: 'ignored',
      retry_count: 0,
    });
    expect(Object.keys(all.body.data[0]).sort()).toEqual(
      [
        'created_at',
        'event_type',
        'external_id',
        'id',
        'last_error',
        'next_attempt_at',
        'payload',
        'processed_at',
        'retry_count',
        'service',
        'status',
      ].sort(),
    );
    expect(ids(await t.http.get(`/integrations/webhook-events?provider=${a.id}`, opts))).toEqual([e2, e1]);
    expect(ids(await t.http.get('/integrations/webhook-events?provider=payment-service', opts))).toEqual([e3]);
    expect(ids(await t.http.get('/integrations/webhook-events?status=completed', opts))).toEqual([e2]);
    expect(ids(await t.http.get('/integrations/webhook-events?type=refund.issued', opts))).toEqual([e3]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(ids(await t.http.get(`/integrations/webhook-events?from=${future}`, opts))).toEqual([]);
    expect(ids(await t.http.get(`/integrations/webhook-events?to=${future}&limit=2&page=2`, opts))).toEqual([e1]);
    // webhooks-service-api.md's list path answers the same.
    expect(ids(await t.http.get(`/webhooks?provider=${a.id}`, opts))).toEqual([e2, e1]);
    expect((await t.http.get(`/integrations/webhook-events/${e3}`, opts)).body.data).toMatchObject({
      id: e3,
      attempts: [{ attempt: 1, outcome: 'ignored' }],
    });

    const bad = await t.http.get(`/integrations/webhook-events?status=lost&from=yesterday&limit=1000`, opts);
    expect(bad.status).toBe(400);
    expect((bad.body.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual(['from', 'limit', 'status']);
  });

  it('is the organization’s own: another organization’s event ids answer 404 and its list is empty', async () => {
    const res = await sendSigned(t, `/webhooks/${owner.organizationId}/hmac-sha256-svc`, 'hmac-sha256', providers['hmac-sha256'].secret, {
      event_id: randomUUID(),
    });
    const stranger = await registerOrg(t.http);
    const other = await t.http.get(`/integrations/webhook-events/${res.body.data.event_id}`, { token: stranger.accessToken });
    expect([other.status, other.body.code]).toEqual([404, 'webhook_event_not_found']);
    expect((await t.http.get('/integrations/webhook-events', { token: stranger.accessToken })).body.total).toBe(0);
    expect((await t.http.get('/webhooks', { token: stranger.accessToken })).body.total).toBe(0);
    expect((await t.http.get(`/integrations/webhook-events/${res.body.data.event_id}`, { token: owner.accessToken })).status).toBe(200);
  });
});

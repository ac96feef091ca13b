import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookEventProcessing, WebhookEventRetention, WebhookHandlerRegistry } from '@atrium/integrations';
import { jobIdFor, MailService, RequestContext } from '@atrium/platform';
import { eventually } from '../support/billing.js';
import { registerOrg, type RegisteredOrg, uniqueEmail } from '../support/factories.js';
import { type CreatedProvider, createProvider, sendSigned, unlimitedProviders } from '../support/integrations.js';
import { addMember, db } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let owner: RegisteredOrg;
let manager: RegisteredOrg;
let users: CreatedProvider;
let payments: CreatedProvider;
let mail: CreatedProvider;
let tests: CreatedProvider;
/** While true the `test.broken` handler throws (the bug); a test "fixes" it by setting it false. */
const broken = new Map<string, boolean>();

beforeAll(async () => {
  // 4 retries 50 ms apart: an event gets 5 attempts, then it is dead.
  t = await startTestApp({ WEBHOOK_RETRY_DELAYS_SECONDS: '0.05,0.05,0.05,0.05', WEBHOOK_RETRY_JITTER: '0.2' });
  await db(t).query(`CREATE TABLE IF NOT EXISTS test_processing_effects (event_id uuid NOT NULL, n serial)`);
  t.app.get(WebhookHandlerRegistry).register('test.broken', {
    // No unique key: every run of the handler that commits leaves a row, so a repeated effect shows.
    handle: async (event, em: EntityManager) => {
      if (broken.get(event.externalId) !== false) throw new Error(`bug #${event.externalId.slice(0, 4)}: cannot handle`);
      await em.query(`INSERT INTO test_processing_effects (event_id) VALUES ($1)`, [event.id]);
    },
  });
  owner = await registerOrg(t.http);
  await unlimitedProviders(t, owner.organizationId);
  manager = await addMember(t, owner.organizationId, 'manager');
  users = await createProvider(t, owner, { name: 'user-service' });
  payments = await createProvider(t, owner, { name: 'payment-service' });
  mail = await createProvider(t, owner, { name: 'communication-service' });
  tests = await createProvider(t, owner, { name: 'test-service' });
});
afterAll(async () => {
  await t?.close();
});

const as = (who: { accessToken: string }) => ({ token: who.accessToken });
const hook = (p: CreatedProvider) => `/webhooks/${owner.organizationId}/${p.name}`;

/** Sends one signed event 3 times (the sender's retries) and answers the stored event's id. */
async function sendThrice(p: CreatedProvider, body: Record<string, unknown>, headers?: Record<string, string>): Promise<string> {
  const sent = [];
  for (let i = 0; i < 3; i++) sent.push(await sendSigned(t, hook(p), 'hmac-sha256', p.secret, body, { headers }));
  expect(sent.map((r) => r.status)).toEqual([200, 200, 200]);
  expect(new Set(sent.map((r) => r.body.data.event_id)).size).toBe(1);
  return sent[0].body.data.event_id as string;
}

const eventOf = async (id: string) => (await t.http.get(`/integrations/webhook-events/${id}`, as(owner))).body.data;
const settledAs = (id: string, statuses: string[]) =>
  eventually(
    async () => {
      const e = await eventOf(id);
      return statuses.includes(e.status) ? e : undefined;
    },
    `event ${id} ${statuses.join('/')}`,
  );
const effects = async (id: string) =>
  (await db(t).query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM test_processing_effects WHERE event_id = $1`, [id]))[0].n;

describe('handlers, each effect once for three deliveries of one event', () => {
  it('user.created / user.updated map the external user, linked to the member with that email', async () => {
    const externalId = `user_${randomUUID().slice(0, 8)}`;
    const created = await sendThrice(users, {
      event_id: randomUUID(),
      type: 'user.created',
      payload: { external_id: externalId, email: manager.email.toUpperCase(), name: 'Mona Manager' },
    });
    expect((await settledAs(created, ['completed'])).attempts).toHaveLength(1);
    // integrations-api-b's flat body, typed by X-Event-Type.
    const updated = await sendThrice(
      users,
      { user_id: externalId, name: 'Mona M.', event_id: randomUUID() },
      { 'X-Event-Type': 'user.updated' },
    );
    await settledAs(updated, ['completed']);
    const other = `user_${randomUUID().slice(0, 8)}`;
    await settledAs(
      await sendThrice(users, {
        event_id: randomUUID(),
        type: 'user.created',
        payload: { external_id: other, email: uniqueEmail('nobody') },
      }),
      ['completed'],
    );

    const list = await t.http.get('/integrations/external-users?provider=user-service', as(manager));
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 2, page: 1, limit: 10, totalPages: 1 });
    expect(list.body.data.find((u: { external_id: string }) => u.external_id === externalId)).toMatchObject({
      provider: { id: users.id, name: 'user-service' },
      email: manager.email.toLowerCase(),
      name: 'Mona M.',
      user_id: manager.userId,
    });
    expect(list.body.data.find((u: { external_id: string }) => u.external_id === other)).toMatchObject({ user_id: null });
    const stranger = await registerOrg(t.http);
    expect((await t.http.get('/integrations/external-users', as(stranger))).body.total).toBe(0);
  });

  it('invoice.paid is an external payment in the billing history; subscription.* an external subscription', async () => {
    const invoice = `inv_${randomUUID().slice(0, 8)}`;
    const paid = await sendThrice(payments, {
      event_id: invoice,
      type: 'invoice.paid',
      payload: { user_id: 'user_001', amount: 10000, currency: 'USD' },
    });
    await settledAs(paid, ['completed']);
    const history = await t.http.get('/payments', as(owner));
    const external = history.body.data.filter((p: { gateway: string }) => p.gateway === 'external');
    expect(external).toHaveLength(1);
    expect(external[0]).toMatchObject({
      status: 'succeeded',
      payment_type: 'external_invoice',
      amount_minor: 10000,
      amount: 100,
      currency: 'USD',
      description: `Invoice ${invoice} paid (payment-service)`,
    });

    const sub = `sub_${randomUUID().slice(0, 8)}`;
    await settledAs(
      await sendThrice(payments, {
        event_id: randomUUID(),
        type: 'subscription.created',
        payload: { subscription_id: sub, user_id: 'user_001', plan: 'premium', amount: '29.99', currency: 'eur' },
      }),
      ['completed'],
    );
    const subs = await t.http.get('/organizations/me/external-subscriptions', as(owner));
    expect(subs.body).toMatchObject({ total: 1 });
    expect(subs.body.data[0]).toMatchObject({
      provider: 'payment-service',
      external_id: sub,
      plan: 'premium',
      status: 'active',
      amount_minor: 2999,
      currency: 'EUR',
      cancelled_at: null,
    });
    await settledAs(
      await sendThrice(payments, { event_id: randomUUID(), type: 'subscription.cancelled', payload: { subscription_id: sub } }),
      ['completed'],
    );
    const after = (await t.http.get('/organizations/me/external-subscriptions', as(owner))).body;
    expect(after.total).toBe(1);
    expect(after.data[0]).toMatchObject({
      status: 'cancelled',
      plan: 'premium',
      amount_minor: 2999,
      last_event_type: 'subscription.cancelled',
    });
    expect(after.data[0].cancelled_at).not.toBeNull();

    // The handlers are idempotent themselves: a forced replay runs them again and still one payment and one subscription.
    const window = { provider: 'payment-service', from: new Date(Date.now() - 600_000).toISOString(), to: new Date().toISOString() };
    const forced = await t.http.post('/integrations/webhook-events/replay', { ...window, force: true }, as(owner));
    expect(forced.body.data.queued).toBeGreaterThanOrEqual(3);
    await eventually(async () => ((await eventOf(paid)).attempts.length === 2 ? true : undefined), 'the forced run of invoice.paid');
    const again = (await t.http.get('/payments', as(owner))).body.data.filter((p: { gateway: string }) => p.gateway === 'external');
    expect(again.map((p: { id: string }) => p.id)).toEqual([external[0].id]);
    expect((await t.http.get('/organizations/me/external-subscriptions', as(owner))).body.total).toBe(1);
  });

  it('email.delivered / email.bounced set the status of the mail delivery with that message id', async () => {
    const key = `test-mail:${randomUUID()}`;
    const ctx = RequestContext.system(randomUUID(), owner.organizationId);
    await t.app.get(MailService).send(ctx, { to: manager.email, subject: 'Hello', text: 'Hi' }, key);
    const messageId = jobIdFor(key);
    const state = async () =>
      (
        await db(t).query<Array<{ delivered_at: Date | null; bounced_at: Date | null }>>(
          `SELECT delivered_at, bounced_at FROM mail_deliveries WHERE idempotency_key = $1`,
          [key],
        )
      )[0];
    expect(await state()).toEqual({ delivered_at: null, bounced_at: null });
    const delivered = await sendThrice(mail, {
      event_id: `msg_${randomUUID()}`,
      type: 'email.delivered',
      payload: { message_id: `<${messageId}@atrium>`, recipient: manager.email, status: 'delivered' },
    });
    await settledAs(delivered, ['completed']);
    const first = await state();
    expect(first.delivered_at).not.toBeNull();
    expect(first.bounced_at).toBeNull();
    await settledAs(
      await sendThrice(mail, { event_id: `msg_${randomUUID()}`, type: 'email.bounced', payload: { message_id: messageId } }),
      ['completed'],
    );
    expect((await state()).bounced_at).not.toBeNull();
    expect((await state()).delivered_at).toEqual(first.delivered_at);
  });

  it('a malformed payload fails its attempts, naming every problem, and ends dead — never a 500', async () => {
    const res = await sendSigned(t, hook(payments), 'hmac-sha256', payments.secret, {
      event_id: randomUUID(),
      type: 'invoice.paid',
      payload: { amount: 'lots', currency: 'ZZZ' },
    });
    expect(res.status).toBe(200);
    const dead = await settledAs(res.body.data.event_id, ['dead']);
    expect(dead.attempts).toHaveLength(5);
    expect(dead.attempts.every((a: { outcome: string }) => a.outcome === 'failed')).toBe(true);
    expect(dead.last_error).toBe('Invalid payload: currency ZZZ is not an ISO 4217 code');
    const noAmount = await sendSigned(t, hook(payments), 'hmac-sha256', payments.secret, { event_id: randomUUID(), type: 'invoice.paid' });
    expect((await settledAs(noAmount.body.data.event_id, ['dead'])).last_error).toBe(
      'Invalid payload: currency is required; amount is required',
    );
    const unknownMail = await sendSigned(t, hook(mail), 'hmac-sha256', mail.secret, {
      event_id: randomUUID(),
      type: 'email.bounced',
      payload: { message_id: 'not-ours' },
    });
    expect((await settledAs(unknownMail.body.data.event_id, ['dead'])).last_error).toMatch(/^Invalid payload: message_id must be/);
  });
});

describe('first attempts: the stored event is the queue entry', () => {
  it('are run by the workers of the deployment that stored the event, oldest first, and by no other deployment', async () => {
    const prefix = `t${randomBytes(6).toString('hex')}`;
    // An api node of another deployment (its own queue prefix): it stores events and runs no first attempts.
    const apiNode = await startTestApp({ QUEUE_PREFIX: prefix, WEBHOOK_PROCESSING_CONCURRENCY: '0' });
    let worker: TestApp | undefined;
    try {
      const theirs = await sendSigned(apiNode, hook(users), 'hmac-sha256', users.secret, {
        event_id: randomUUID(),
        type: 'nobody.handles',
      });
      expect(theirs.status).toBe(200);
      const theirId = theirs.body.data.event_id as string;
      // Stored after theirs: this file's app takes the oldest received event first, so had it taken the other
      // deployment's, that one would have settled before ours.
      const ours = await sendSigned(t, hook(users), 'hmac-sha256', users.secret, { event_id: randomUUID(), type: 'nobody.handles' });
      await settledAs(ours.body.data.event_id as string, ['ignored']);
      expect(await eventOf(theirId)).toMatchObject({ status: 'received', attempts: [] });

      // A worker process of that deployment finds it by its poll, with nothing telling it.
      worker = await startTestApp({ QUEUE_PREFIX: prefix, WEBHOOK_POLL_INTERVAL_MS: '50' });
      const settled = await settledAs(theirId, ['ignored']);
      expect(settled.attempts.map((a: { attempt: number; outcome: string }) => [a.attempt, a.outcome])).toEqual([[1, 'ignored']]);
    } finally {
      await worker?.close();
      await apiNode.close();
    }
  });

  it('a worker that stops finishes the event it is running and gives back the one it took and had not started', async () => {
    const prefix = `t${randomBytes(6).toString('hex')}`;
    // One run at a time; its handler waits until the test lets it go.
    const worker = await startTestApp({ QUEUE_PREFIX: prefix, WEBHOOK_PROCESSING_CONCURRENCY: '1' });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let closing: Promise<void> | undefined;
    try {
      worker.app.get(WebhookHandlerRegistry).register('test.slow', {
        handle: async (event, em: EntityManager) => {
          await gate;
          await em.query(`INSERT INTO test_processing_effects (event_id) VALUES ($1)`, [event.id]);
        },
      });
      const send = async () =>
        (await sendSigned(worker, hook(users), 'hmac-sha256', users.secret, { event_id: randomUUID(), type: 'test.slow' })).body.data
          .event_id as string;
      const running = await send();
      await eventually(async () => ((await eventOf(running)).status === 'processing' ? true : undefined), 'the first event taken');
      const waiting = await send();
      await eventually(async () => ((await eventOf(waiting)).status === 'processing' ? true : undefined), 'the second event taken');

      closing = worker.close();
      release();
      await closing;
      expect(await effects(running)).toBe(1);
      expect((await eventOf(running)).status).toBe('completed');
      // Given back: received, no lease, no attempt; any worker of the deployment takes it at once.
      expect(await eventOf(waiting)).toMatchObject({ status: 'received', next_attempt_at: null, attempts: [] });
    } finally {
      release();
      if (!closing) await worker.close();
    }
  });

  it('an event taken by a worker that died is taken again once its lease runs out, and runs once', async () => {
    const prefix = `t${randomBytes(6).toString('hex')}`;
    const apiNode = await startTestApp({ QUEUE_PREFIX: prefix, WEBHOOK_PROCESSING_CONCURRENCY: '0' });
    let worker: TestApp | undefined;
    try {
      const sent = await sendSigned(apiNode, hook(users), 'hmac-sha256', users.secret, { event_id: randomUUID(), type: 'nobody.handles' });
      const id = sent.body.data.event_id as string;
      // A worker process of that deployment takes it (a lease of 2 s) and dies before running it.
      const taken = await t.app.get(WebhookEventProcessing).take(prefix, 10, 2000);
      expect(taken.map((e) => e.id)).toEqual([id]);
      const held = await eventOf(id);
      expect(held).toMatchObject({ status: 'processing', attempts: [] });
      const leaseEnds = Date.parse(held.next_attempt_at as string);
      expect(leaseEnds - Date.parse(held.created_at as string)).toBeGreaterThan(1000);

      worker = await startTestApp({ QUEUE_PREFIX: prefix, WEBHOOK_POLL_INTERVAL_MS: '50' });
      const settled = await settledAs(id, ['ignored']);
      expect(settled.attempts.map((a: { attempt: number; outcome: string }) => [a.attempt, a.outcome])).toEqual([[1, 'ignored']]);
      expect(Date.parse(settled.attempts[0].started_at as string)).toBeGreaterThanOrEqual(leaseEnds);
    } finally {
      await worker?.close();
      await apiNode.close();
    }
  });
});

describe('retries, dead events and replay', () => {
  it('a handler failing every attempt ends dead with 5 attempts recorded and one notification to integration admins; a replay completes it once', async () => {
    const started = new Date(Date.now() - 1000).toISOString();
    const externalId = randomUUID();
    const res = await sendSigned(t, hook(tests), 'hmac-sha256', tests.secret, { event_id: externalId, type: 'test.broken' });
    const id = res.body.data.event_id as string;
    const dead = await settledAs(id, ['dead']);
    expect(dead).toMatchObject({ retry_count: 4, next_attempt_at: null, last_error: `bug #${externalId.slice(0, 4)}: cannot handle` });
    expect(dead.attempts.map((a: { attempt: number; outcome: string }) => [a.attempt, a.outcome])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'failed'],
      [4, 'failed'],
      [5, 'failed'],
    ]);
    for (const a of dead.attempts) {
      expect(a.error).toBe(`bug #${externalId.slice(0, 4)}: cannot handle`);
      expect(a.duration_ms).toBeGreaterThanOrEqual(0);
    }
    // Each retry waited its 50 ms (± 20 %) after the attempt before it.
    const starts = dead.attempts.map((a: { started_at: string }) => Date.parse(a.started_at));
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(40);
    const retries = await t.http.get(`/integrations/webhook-events/${id}/retries`, as(manager));
    expect(retries.body.data).toEqual(dead.attempts);
    expect((await t.http.get(`/webhooks/${id}/retries`, as(owner))).body.data).toEqual(dead.attempts);

    const notified = await eventually(async () => {
      const list = (await t.http.get('/notifications', as(owner))).body.data as Array<{ type: string; data: { webhook_event_id: string } }>;
      const mine = list.filter((n) => n.type === 'integration.event_dead' && n.data.webhook_event_id === id);
      return mine.length ? mine : undefined;
    }, 'the dead-event notification');
    expect(notified).toHaveLength(1);
    expect(notified[0]).toMatchObject({ title: 'Webhook event from test-service failed for good', data: { attempts: 5 } });
    // The manager sees the log but holds no integrations.manage: not notified (the owner's came in the same transaction).
    const managers = (await t.http.get('/notifications', as(manager))).body.data as Array<{ type: string }>;
    expect(managers.filter((n) => n.type === 'integration.event_dead')).toEqual([]);
    expect(await effects(id)).toBe(0);

    // The bug is fixed; the window is replayed.
    broken.set(externalId, false);
    const to = new Date(Date.now() + 1000).toISOString();
    const replay = await t.http.post(
      '/integrations/webhook-events/replay',
      { provider: 'test-service', from: started, to, status: 'dead' },
      as(owner),
    );
    expect(replay.status).toBe(202);
    expect(replay.body.data.queued).toBe(1);
    const completed = await settledAs(id, ['completed']);
    expect(completed.attempts).toHaveLength(6);
    expect(completed.attempts[5]).toMatchObject({ attempt: 6, outcome: 'completed', error: null });
    expect(await effects(id)).toBe(1);

    // Without force a completed event is not queued again: its effect stays once.
    const again = await t.http.post('/integrations/webhook-events/replay', { provider: tests.id, from: started, to }, as(owner));
    expect(again.body.data.queued).toBe(0);
    // With force it runs again (its handler repeats its effect).
    const forced = await t.http.post(
      '/integrations/webhook-events/replay',
      { provider: tests.id, from: started, to, force: true },
      as(owner),
    );
    expect(forced.body.data.queued).toBeGreaterThanOrEqual(1);
    await eventually(async () => ((await eventOf(id)).attempts.length === 7 ? true : undefined), 'the forced run');
    expect(await effects(id)).toBe(2);
    expect((await eventOf(id)).status).toBe('completed');

    const audit = await db(t).query<Array<{ after: { force: boolean; queued: number } }>>(
      `SELECT after FROM audit_logs WHERE organization_id = $1 AND action = 'webhook_events.replayed' AND resource_id = $2 ORDER BY created_at`,
      [owner.organizationId, tests.id],
    );
    expect(audit.map((a) => [a.after.force, a.after.queued])).toEqual([
      [false, 1],
      [false, 0],
      [true, forced.body.data.queued],
    ]);
  });

  it('retry-now processes a dead event at once; a completed one answers 409 webhook_event_settled', async () => {
    const externalId = randomUUID();
    const res = await sendSigned(t, hook(tests), 'hmac-sha256', tests.secret, { event_id: externalId, type: 'test.broken' });
    const id = res.body.data.event_id as string;
    await settledAs(id, ['dead']);
    // Still broken: the manual attempt is recorded and the event stays dead.
    const stillDead = await t.http.post(`/integrations/webhook-events/${id}/retry`, {}, as(owner));
    expect(stillDead.status).toBe(200);
    expect(stillDead.body.data).toMatchObject({ status: 'dead', retry_count: 5 });
    expect(stillDead.body.data.attempts).toHaveLength(6);
    broken.set(externalId, false);
    const done = await t.http.post(`/integrations/webhook-events/${id}/retry`, {}, as(owner));
    expect(done.body.data).toMatchObject({ status: 'completed', last_error: null });
    expect(done.body.data.attempts[6]).toMatchObject({ attempt: 7, outcome: 'completed' });
    expect(await effects(id)).toBe(1);

    const settled = await t.http.post(`/integrations/webhook-events/${id}/retry`, {}, as(owner));
    expect([settled.status, settled.body.code]).toEqual([409, 'webhook_event_settled']);
    expect(await effects(id)).toBe(1);
    const forbidden = await t.http.post(`/integrations/webhook-events/${id}/retry`, {}, as(manager));
    expect(forbidden.status).toBe(403);
    const audit = await db(t).query(`SELECT action FROM audit_logs WHERE resource_id = $1 ORDER BY created_at`, [id]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['webhook_event.retried', 'webhook_event.retried']);
  });

  it('PATCH sets the status by hand, audited with before and after; a bad status is a 400 naming it and changes nothing', async () => {
    const res = await sendSigned(t, hook(tests), 'hmac-sha256', tests.secret, { event_id: randomUUID(), type: 'test.broken' });
    const id = res.body.data.event_id as string;
    await settledAs(id, ['dead']);
    const bad = await t.http.request('PATCH', `/integrations/webhook-events/${id}`, { status: 'lost' }, as(owner));
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'status' })]);
    expect(JSON.stringify(bad.body)).toContain('completed, ignored, dead');
    const notManual = await t.http.request('PATCH', `/integrations/webhook-events/${id}`, { status: 'processing' }, as(owner));
    expect(notManual.status).toBe(400);
    expect((await eventOf(id)).status).toBe('dead');

    const fixed = await t.http.request('PATCH', `/integrations/webhook-events/${id}`, { status: 'ignored' }, as(owner));
    expect(fixed.status).toBe(200);
    expect(fixed.body.data).toMatchObject({ id, status: 'ignored' });
    const audit = await db(t).query(
      `SELECT action, before, after, actor_user_id FROM audit_logs WHERE resource_id = $1 AND action = 'webhook_event.status_changed'`,
      [id],
    );
    expect(audit).toEqual([
      { action: 'webhook_event.status_changed', before: { status: 'dead' }, after: { status: 'ignored' }, actor_user_id: owner.userId },
    ]);
    expect((await t.http.request('PATCH', `/integrations/webhook-events/${id}`, { status: 'completed' }, as(manager))).status).toBe(403);
  });

  it('another organization’s event ids answer 404 on every route, and its replay cannot name our provider', async () => {
    const res = await sendSigned(t, hook(tests), 'hmac-sha256', tests.secret, { event_id: randomUUID(), type: 'test.broken' });
    const id = res.body.data.event_id as string;
    await settledAs(id, ['dead']);
    const stranger = await registerOrg(t.http);
    const answers = [
      await t.http.get(`/integrations/webhook-events/${id}/retries`, as(stranger)),
      await t.http.get(`/webhooks/${id}/retries`, as(stranger)),
      await t.http.post(`/integrations/webhook-events/${id}/retry`, {}, as(stranger)),
      await t.http.request('PATCH', `/integrations/webhook-events/${id}`, { status: 'completed' }, as(stranger)),
    ];
    expect(answers.map((a) => [a.status, a.body.code])).toEqual(Array(4).fill([404, 'webhook_event_not_found']));
    const replay = await t.http.post(
      '/integrations/webhook-events/replay',
      { provider: tests.id, from: new Date(Date.now() - 60_000).toISOString(), to: new Date().toISOString() },
      as(stranger),
    );
    expect([replay.status, replay.body.code]).toEqual([404, 'provider_not_found']);
    const e = await eventOf(id);
    expect(e).toMatchObject({ status: 'dead', retry_count: 4 });
  });

  it('replay validates its window and names every bad field', async () => {
    const bad = await t.http.post(
      '/integrations/webhook-events/replay',
      { from: 'yesterday', to: 5, status: 'lost', force: 'yes' },
      as(owner),
    );
    expect(bad.status).toBe(400);
    expect((bad.body.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual([
      'force',
      'from',
      'provider',
      'status',
      'to',
    ]);
    const reversed = await t.http.post(
      '/integrations/webhook-events/replay',
      { provider: tests.name, from: new Date().toISOString(), to: new Date(Date.now() - 1000).toISOString() },
      as(owner),
    );
    expect([reversed.status, reversed.body.details?.[0]?.field]).toEqual([400, 'from']);
  });
});

describe('retention', () => {
  it('prunes settled events (and their attempts) older than the retention window, and nothing else', async () => {
    const org = await registerOrg(t.http);
    await unlimitedProviders(t, org.organizationId);
    const p = await createProvider(t, org, { name: 'old-service' });
    const send = async (type: string) =>
      (await sendSigned(t, `/webhooks/${org.organizationId}/${p.name}`, 'hmac-sha256', p.secret, { event_id: randomUUID(), type })).body
        .data.event_id as string;
    const oldIgnored = await send('nobody.handles');
    const oldDead = await send('test.broken');
    const oldFailed = await send('nobody.handles');
    const recent = await send('nobody.handles');
    const status = (id: string) =>
      eventually(async () => {
        const [row] = await db(t).query<Array<{ status: string }>>(`SELECT status FROM webhook_events WHERE id = $1`, [id]);
        return ['ignored', 'dead'].includes(row.status) ? row.status : undefined;
      }, `event ${id} settled`);
    await Promise.all([oldIgnored, oldDead, oldFailed, recent].map(status));
    // 8 days ago; one of them still waiting for a retry (failed) as if its sender's event were stuck.
    await db(t).query(`UPDATE webhook_events SET created_at = now() - interval '8 days' WHERE id = ANY ($1::uuid[])`, [
      [oldIgnored, oldDead, oldFailed],
    ]);
    await db(t).query(`UPDATE webhook_events SET status = 'failed' WHERE id = $1`, [oldFailed]);

    const deleted = await t.app.get(WebhookEventRetention).prune(1);
    expect(deleted).toBeGreaterThanOrEqual(2);
    const left = await db(t).query<Array<{ id: string }>>(`SELECT id FROM webhook_events WHERE provider_id = $1 ORDER BY id`, [p.id]);
    expect(left.map((r) => r.id).sort()).toEqual([oldFailed, recent].sort());
    const attempts = await db(t).query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM webhook_event_attempts WHERE event_id = ANY ($1::uuid[])`,
      [[oldIgnored, oldDead]],
    );
    expect(attempts[0].n).toBe(0);
    const log = await t.http.get(`/integrations/webhook-events?provider=${p.id}`, as(org));
    expect(log.body.total).toBe(2);
  });
});

import { withTenant } from '@atrium/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths, PaymentService } from '@atrium/billing';
import { catalogue, finalStatus } from '../support/billing.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { FakeStripe, signedEvent } from '../support/fake-stripe.js';
import { createMember, dataSource } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const SECRET = 'whsec_e2e_billing_core';
let t: TestApp;
let fake: FakeStripe;
let ids: Awaited<ReturnType<typeof catalogue>>;

const auth = (org: RegisteredOrg) => ({ token: org.accessToken });
const count = async (sql: string, params: unknown[] = []) => Number((await dataSource(t).query(sql, params))[0].n);
const nowS = () => Math.floor(Date.now() / 1000);

function deliver(payload: string, header?: string) {
  return fetch(`${t.http.baseUrl}/payments/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header ? { 'stripe-signature': header } : {}) },
    body: payload,
  }).then(async (r) => ({ status: r.status, body: await r.json() }));
}
const deliverEvent = (event: unknown) => {
  const { payload, header } = signedEvent(event, SECRET);
  return deliver(payload, header);
};

beforeAll(async () => {
  fake = await new FakeStripe().start();
  t = await startTestApp({ STRIPE_SECRET_KEY: fake.apiKey, STRIPE_API_URL: fake.url, STRIPE_WEBHOOK_SECRET: SECRET });
  ids = await catalogue(t);
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

async function stripePayment(org: RegisteredOrg) {
  const res = await t.http.post(
    '/payments',
    { gateway: 'stripe', payment_type: 'package_upgrade', package_id: ids.pkg.basic, period: '1_month' },
    auth(org),
  );
  expect(res.status).toBe(201);
  return res.body.data;
}

describe('Stripe payments', () => {
  it('creates a PaymentIntent once under the payment’s idempotency key and answers its client secret only then', async () => {
    const org = await registerOrg(t.http);
    const p = await stripePayment(org);
    expect(p).toMatchObject({ status: 'pending', gateway: 'stripe', amount_minor: 1900, checkout_url: null });
    expect(p.transaction_id).toMatch(/^pi_/);
    expect(p.client_secret).toMatch(/^pi_.+_secret_/);
    expect(fake.requestsWithKey(`payment:${p.id}`)).toBe(1);
    expect(fake.intent(p.transaction_id)).toMatchObject({
      amount: 1900,
      currency: 'usd',
      metadata: { payment_id: p.id, organization_id: org.organizationId },
    });
    const read = await t.http.get(`/payments/${p.id}`, auth(org));
    expect(read.body.data.client_secret).toBeUndefined();
  });

  it('the same event delivered three times at once changes state once; a payment_failed after succeeded changes nothing', async () => {
    const org = await registerOrg(t.http);
    const p = await stripePayment(org);
    fake.confirmIntent(p.transaction_id);
    const { payload, header } = signedEvent(fake.intentEvent(p.transaction_id), SECRET);
    const answers = await Promise.all([1, 2, 3].map(() => deliver(payload, header)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.filter((a) => a.body.data.duplicate === false)).toHaveLength(1);
    expect(answers.filter((a) => a.body.data.outcome === 'succeeded')).toHaveLength(1);
    expect((await finalStatus(t, org.accessToken, p.id)).status).toBe('succeeded');
    expect(await count(`SELECT count(*) AS n FROM invoices WHERE payment_id = $1`, [p.id])).toBe(1);
    expect(
      await count(`SELECT count(*) AS n FROM outbox_events WHERE name = 'billing.payment_succeeded' AND payload->>'payment_id' = $1`, [
        p.id,
      ]),
    ).toBe(1);
    expect((await t.http.get('/organizations/me/package', auth(org))).body.data.package.slug).toBe('basic');

    const stale = await deliverEvent(fake.intentEvent(p.transaction_id, 'payment_intent.payment_failed'));
    expect(stale.status).toBe(200);
    expect(stale.body.data.outcome).toBe('already_final');
    expect((await t.http.get(`/payments/${p.id}`, auth(org))).body.data.status).toBe('succeeded');
  });

  it('a declined card fails the payment with its decline code; the package stays', async () => {
    const org = await registerOrg(t.http);
    const p = await stripePayment(org);
    fake.confirmIntent(p.transaction_id, 'pm_card_chargeDeclinedInsufficientFunds');
    const res = await deliverEvent(fake.intentEvent(p.transaction_id));
    expect(res.body.data.outcome).toBe('failed');
    expect(await finalStatus(t, org.accessToken, p.id)).toMatchObject({ status: 'failed', failure_code: 'insufficient_funds' });
    expect((await t.http.get('/organizations/me/package', auth(org))).body.data.package.slug).toBe('free');
  });

  it('a payer who retries a declined intent with another card gets what they paid for', async () => {
    const org = await registerOrg(t.http);
    const p = await stripePayment(org);
    fake.confirmIntent(p.transaction_id, 'pm_card_chargeDeclined');
    expect((await deliverEvent(fake.intentEvent(p.transaction_id, 'payment_intent.payment_failed'))).body.data.outcome).toBe('failed');
    fake.confirmIntent(p.transaction_id, 'pm_card_visa');
    expect((await deliverEvent(fake.intentEvent(p.transaction_id))).body.data.outcome).toBe('succeeded');
    expect(await finalStatus(t, org.accessToken, p.id)).toMatchObject({ status: 'succeeded' });
    expect((await t.http.get('/organizations/me/package', auth(org))).body.data.package.slug).toBe('basic');
    // And nothing moves it back.
    const late = await deliverEvent(fake.intentEvent(p.transaction_id, 'payment_intent.payment_failed'));
    expect(late.body.data.outcome).toBe('already_final');
  });

  it('verify racing the callback activates once', async () => {
    const org = await registerOrg(t.http);
    const p = await stripePayment(org);
    fake.confirmIntent(p.transaction_id);
    const event = signedEvent(fake.intentEvent(p.transaction_id), SECRET);
    const [a, b, c] = await Promise.all([
      deliver(event.payload, event.header),
      t.http.post('/payments/verify', { payment_id: p.id, transaction_id: p.transaction_id }, auth(org)),
      t.http.post('/payments/verify', { payment_id: p.id, transaction_id: p.transaction_id }, auth(org)),
    ]);
    const outcomes = [a.body.data.outcome, b.body.data.outcome, c.body.data.outcome];
    expect(outcomes.filter((o) => o === 'succeeded')).toHaveLength(1);
    expect(await count(`SELECT count(*) AS n FROM audit_logs WHERE resource_id = $1 AND action = 'payment.succeeded'`, [p.id])).toBe(1);
    const wrong = await t.http.post('/payments/verify', { payment_id: p.id, transaction_id: 'pi_someone_else' }, auth(org));
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('transaction_mismatch');
  });

  it('a Stripe outage while starting the charge answers 503, fails the payment and leaves its quote usable', async () => {
    const org = await registerOrg(t.http);
    await stripePayment(org); // the organization's Stripe customer exists: the outage hits the PaymentIntent create
    const quote = await t.http.post(
      '/organizations/me/package/calculate-upgrade-price',
      { package_id: ids.pkg.basic, period: '1_month' },
      auth(org),
    );
    const body = {
      gateway: 'stripe',
      payment_type: 'package_upgrade',
      package_id: ids.pkg.basic,
      period: '1_month',
      quote_id: quote.body.data.quote_id,
    };
    fake.failNext(3, { status: 500 }); // the SDK's first try and both retries
    const down = await t.http.post('/payments', body, auth(org));
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('gateway_unreachable');
    const failed = (await t.http.get('/payments?status=failed', auth(org))).body.data;
    expect(failed).toMatchObject([{ gateway: 'stripe', amount_minor: 1900, failure_code: 'gateway_unreachable' }]);

    const retry = await t.http.post('/payments', body, auth(org));
    expect(retry.status).toBe(201);
    expect(retry.body.data).toMatchObject({ status: 'pending', amount_minor: 1900 });
    // The retry took the quote: it is used once again.
    const third = await t.http.post('/payments', body, auth(org));
    expect(third.status).toBe(409);
    expect(third.body.code).toBe('quote_used');
  });

  it('keeps an event it could not process (Stripe unreachable) and answers 503; the redelivery applies it', async () => {
    const org = await registerOrg(t.http);
    const p = await stripePayment(org);
    fake.confirmIntent(p.transaction_id);
    const event = signedEvent(fake.intentEvent(p.transaction_id), SECRET);
    fake.failNext(3, { status: 500 }); // the SDK's first try and both retries
    const first = await deliver(event.payload, event.header);
    expect(first.status).toBe(503);
    expect(first.body.code).toBe('gateway_unreachable');
    const kept = await dataSource(t).query(`SELECT processed_at FROM payment_events WHERE gateway = 'stripe' AND transaction_id = $1`, [
      p.transaction_id,
    ]);
    expect(kept).toEqual([{ processed_at: null }]);
    expect((await t.http.get(`/payments/${p.id}`, auth(org))).body.data.status).toBe('pending');

    const again = await deliver(event.payload, event.header);
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ duplicate: true, outcome: 'succeeded' });
    const last = await deliver(event.payload, event.header);
    expect(last.body.data).toMatchObject({ duplicate: true, outcome: 'processed_before' });
  });

  it('tampered, stale, future, unsigned, wrong-secret and v0-only callbacks answer 400 and store nothing', async () => {
    const org = await registerOrg(t.http);
    const p = await stripePayment(org);
    fake.confirmIntent(p.transaction_id);
    const event = fake.intentEvent(p.transaction_id);
    const before = await count(`SELECT count(*) AS n FROM payment_events`);
    const good = signedEvent(event, SECRET);
    const v1 = good.header.split(',').find((x) => x.startsWith('v1='))!;
    const cases: Array<[string, string, string | undefined]> = [
      ['tampered', good.payload.replace('"succeeded"', '"canceled"'), good.header],
      ['stale', good.payload, signedEvent(event, SECRET, { timestamp: nowS() - 301 }).header],
      // Well past the tolerance: the app reads its clock after the cases before, maybe a second later than `nowS()` here.
      ['future', good.payload, signedEvent(event, SECRET, { timestamp: nowS() + 330 }).header],
      ['unsigned', good.payload, undefined],
      ['wrong secret', good.payload, signedEvent(event, 'whsec_not_ours').header],
      ['v0 only', good.payload, good.header.replace(v1, v1.replace('v1=', 'v0='))],
    ];
    for (const [name, payload, header] of cases) {
      const res = await deliver(payload, header);
      expect(res.status, name).toBe(400);
      expect(res.body.code, name).toBe('webhook_signature_invalid');
    }
    expect(await count(`SELECT count(*) AS n FROM payment_events`)).toBe(before);
    expect((await t.http.get(`/payments/${p.id}`, auth(org))).body.data.status).toBe('pending');
  });

  it('stores and answers 2xx for unknown types, unknown payments and a deleted organization', async () => {
    const customerEvent = fake.event('customer.updated', { id: 'cus_x', object: 'customer' });
    const unknownType = await deliverEvent(customerEvent);
    expect(unknownType).toMatchObject({ status: 200, body: { data: { outcome: 'ignored', duplicate: false } } });
    const ignored = await dataSource(t).query(`SELECT outcome, processed_at FROM payment_events WHERE event_id = $1`, [
      unknownType.body.data.event_id,
    ]);
    expect(ignored[0]).toMatchObject({ outcome: 'ignored', processed_at: expect.any(Date) });
    const redelivered = await deliverEvent(customerEvent);
    expect(redelivered).toMatchObject({ status: 200, body: { data: { outcome: 'processed_before', duplicate: true } } });

    const org = await registerOrg(t.http);
    const p = await stripePayment(org);
    fake.confirmIntent(p.transaction_id);
    await dataSource(t).query(`DELETE FROM organizations WHERE id = $1`, [org.organizationId]);
    const gone = await deliverEvent(fake.intentEvent(p.transaction_id));
    expect(gone).toMatchObject({ status: 200, body: { data: { outcome: 'unknown_payment' } } });
    const stored = await dataSource(t).query(`SELECT outcome, processed_at FROM payment_events WHERE event_id = $1`, [
      gone.body.data.event_id,
    ]);
    expect(stored[0]).toMatchObject({ outcome: 'unknown_payment', processed_at: expect.any(Date) });
  });

  it('POST /webhooks/test/stripe runs a signed sample event through the real path; billing.manage only', async () => {
    const org = await registerOrg(t.http);
    const sample = await t.http.post('/webhooks/test/stripe', {}, auth(org));
    expect(sample.status).toBe(200);
    expect(sample.body.data).toMatchObject({
      received: true,
      type: 'payment_intent.succeeded',
      duplicate: false,
      outcome: 'unknown_payment',
    });
    expect(await count(`SELECT count(*) AS n FROM payment_events WHERE event_id = $1`, [sample.body.data.event_id])).toBe(1);

    const p = await stripePayment(org);
    fake.confirmIntent(p.transaction_id);
    const about = await t.http.post('/webhooks/test/stripe', { payment_id: p.id }, auth(org));
    expect(about.body.data.outcome).toBe('succeeded');
    expect((await t.http.get('/organizations/me/package', auth(org))).body.data.package.slug).toBe('basic');

    const admin = await createMember(t, org, 'admin');
    expect((await t.http.post('/webhooks/test/stripe', {}, { token: admin.accessToken })).status).toBe(403);
  });

  it('saves a Stripe card for auto-renewal and charges it off-session from a job (decline: failed, no throw)', async () => {
    const org = await registerOrg(t.http);
    const on = await t.http.put(
      '/organizations/me/package/auto-renew',
      { enabled: true, credentials: { payment_method: 'stripe', stripe_card_token: 'tok_visa' } },
      auth(org),
    );
    expect(on.status).toBe(200);
    expect(on.body.data.subscription).toMatchObject({
      auto_renew: true,
      payment_method: { gateway: 'stripe', brand: 'visa', last4: '4242' },
    });

    const start = new Date();
    const renewal = {
      paymentType: 'renewal' as const,
      purchase: {
        kind: 'renewal' as const,
        packageId: ids.pkg.basic,
        period: '1_month',
        periodStart: start.toISOString(),
        periodEnd: addMonths(start, 1).toISOString(),
      },
      amountMinor: 1900,
      currency: 'USD',
      description: 'Basic package, renewal',
      lines: [{ description: 'Basic package, renewal', quantity: 1, unitMinor: 1900, totalMinor: 1900 }],
    };
    const charged = await withTenant(org.organizationId, () =>
      t.app.get(PaymentService).chargeSaved(org.organizationId, renewal, { requestId: 'renewal-spec' }),
    );
    expect(charged.outcome).toBe('succeeded');
    const view = (await t.http.get('/organizations/me/package', auth(org))).body.data;
    expect(view.package.slug).toBe('basic');
    expect(view.subscription.current_period_end).toBe(addMonths(start, 1).toISOString());

    // A card Stripe declines on attach is refused and the saved one stays; one that attaches but fails when charged is saved.
    const refused = await t.http.put(
      '/organizations/me/package/auto-renew',
      { enabled: true, credentials: { payment_method: 'stripe', token: 'tok_chargeDeclined' } },
      auth(org),
    );
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('payment_method_declined');
    expect((await t.http.get('/organizations/me/package', auth(org))).body.data.subscription.payment_method.last4).toBe('4242');
    const failing = await t.http.put(
      '/organizations/me/package/auto-renew',
      { enabled: true, credentials: { payment_method: 'stripe', token: 'tok_chargeCustomerFail' } },
      auth(org),
    );
    expect(failing.body.data.subscription.payment_method.last4).toBe('0341');
    const declined = await withTenant(org.organizationId, () =>
      t.app.get(PaymentService).chargeSaved(org.organizationId, renewal, { requestId: 'renewal-spec-2' }),
    );
    expect(declined.outcome).toBe('failed');
    expect(declined.payment).toMatchObject({ status: 'failed', failureCode: 'generic_decline' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue, finalStatus } from '../support/billing.js';
import { registerOrg } from '../support/factories.js';
import { FakeStripe, signedEvent } from '../support/fake-stripe.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** STRIPE_CHECKOUT=true: the payment holds the Checkout Session id, Stripe's events name its PaymentIntent. */
const SECRET = 'whsec_e2e_checkout';
let t: TestApp;
let fake: FakeStripe;
let ids: Awaited<ReturnType<typeof catalogue>>;

beforeAll(async () => {
  fake = await new FakeStripe().start();
  t = await startTestApp({
    STRIPE_SECRET_KEY: fake.apiKey,
    STRIPE_API_URL: fake.url,
    STRIPE_WEBHOOK_SECRET: SECRET,
    STRIPE_CHECKOUT: 'true',
  });
  ids = await catalogue(t);
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

describe('Stripe Checkout', () => {
  it('answers the session url, and the completed session’s event applies the payment it belongs to', async () => {
    const org = await registerOrg(t.http);
    const res = await t.http.post(
      '/payments',
      { gateway: 'stripe', payment_type: 'package_upgrade', package_id: ids.pkg.basic, period: '1_month' },
      { token: org.accessToken },
    );
    expect(res.status).toBe(201);
    expect(res.body.data.transaction_id).toMatch(/^cs_/);
    expect(res.body.data.checkout_url).toMatch(/^https?:\/\//);
    expect(res.body.data.client_secret).toBeUndefined();

    const { intent } = fake.completeCheckout(res.body.data.transaction_id);
    const event = signedEvent(fake.checkoutEvent(res.body.data.transaction_id), SECRET);
    const delivered = await fetch(`${t.http.baseUrl}/payments/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': event.header },
      body: event.payload,
    });
    expect(delivered.status).toBe(200);
    expect((await delivered.json()).data.outcome).toBe('succeeded');
    expect((await finalStatus(t, org.accessToken, res.body.data.id)).status).toBe('succeeded');
    expect((await t.http.get('/organizations/me/package', { token: org.accessToken })).body.data.package.slug).toBe('basic');

    // A later event about the PaymentIntent itself finds the payment already final.
    const again = signedEvent(fake.intentEvent(intent.id as string), SECRET);
    const late = await fetch(`${t.http.baseUrl}/payments/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': again.header },
      body: again.payload,
    });
    expect((await late.json()).data.outcome).toBe('already_final');
  });
  it('an event naming only the PaymentIntent (no payment_id in its payload) finds the payment at Stripe, reading it once', async () => {
    const org = await registerOrg(t.http);
    const res = await t.http.post(
      '/payments',
      { gateway: 'stripe', payment_type: 'package_upgrade', package_id: ids.pkg.basic, period: '1_month' },
      { token: org.accessToken },
    );
    expect(res.status).toBe(201);
    const { intent } = fake.completeCheckout(res.body.data.transaction_id);
    const raw = fake.intentEvent(intent.id as string) as { data: { object: { metadata?: unknown } } };
    raw.data.object.metadata = {};
    const event = signedEvent(raw, SECRET);
    const before = fake.requests.length;
    const delivered = await fetch(`${t.http.baseUrl}/payments/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': event.header },
      body: event.payload,
    });
    expect((await delivered.json()).data.outcome).toBe('succeeded');
    expect(fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/payment_intents/${intent.id as string}`]);
    expect((await finalStatus(t, org.accessToken, res.body.data.id)).status).toBe('succeeded');
  });
});

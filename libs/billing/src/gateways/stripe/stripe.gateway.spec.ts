import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError, STATUS_BY_KIND, TestClock } from '@atrium/platform';
import { FakeStripe, signedEvent } from '../../../../../test/support/fake-stripe.js';
import { BillingConfig } from '../../billing.config.js';
import type { CreateGatewayChargeInput } from '../payment-gateway.js';
import { STRIPE_API_VERSION } from './stripe-client.js';
import { StripeGateway } from './stripe.gateway.js';

const SECRET = 'whsec_spec_secret';
const clock = new TestClock(new Date('2026-11-28T12:00:00Z'));
const nowS = () => Math.floor(clock.now().getTime() / 1000);
let fake: FakeStripe;
let gateway: StripeGateway;

const configFor = (stripe: BillingConfig['stripe']) =>
  new BillingConfig(stripe, SECRET, false, null, { noticeDays: 7, retryDays: [1, 3, 5], graceDays: 7 }, 'https://atrium.test', false, {
    sellerName: 'Atrium',
    sellerAddress: [],
    sellerTaxId: null,
    font: { regular: '', bold: '' },
  });

beforeAll(async () => {
  fake = await new FakeStripe({ now: () => clock.now() }).start();
  gateway = new StripeGateway(configFor({ secretKey: fake.apiKey, apiUrl: fake.url, checkout: false }), clock);
});
afterAll(() => fake.close());

/** The status and code a rejected call answers over HTTP (a DomainError through the error filter). */
async function failure(
  promise: Promise<unknown> | (() => unknown),
): Promise<{ status: number; code: string; message: string; details: unknown }> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return { status: STATUS_BY_KIND[err.kind], code: err.code, message: err.message, details: err.details };
  }
  throw new Error('expected a failure');
}

async function customer(): Promise<string> {
  return gateway.createCustomer({ organizationId: randomUUID(), name: 'Acme' });
}

async function chargeInput(over: Partial<CreateGatewayChargeInput> = {}): Promise<CreateGatewayChargeInput> {
  const paymentId = randomUUID();
  return {
    paymentId,
    organizationId: randomUUID(),
    customerRef: await customer(),
    amountMinor: 4900,
    currency: 'USD',
    description: 'Upgrade to Pro (1 month)',
    idempotencyKey: `payment:${paymentId}`,
    ...over,
  };
}

const intentsOf = (paymentId: string) => fake.allIntents().filter((i) => i.metadata.payment_id === paymentId);

describe('StripeGateway customers', () => {
  it('creates one Stripe customer per organization, with its id in metadata, on the pinned API version', async () => {
    const organizationId = randomUUID();
    const input = { organizationId, name: 'Acme Ltd', email: 'billing@acme.test' };
    const ref = await gateway.createCustomer(input);
    expect(await gateway.createCustomer(input)).toBe(ref);

    expect(fake.customer(ref)).toMatchObject({
      name: 'Acme Ltd',
      email: 'billing@acme.test',
      metadata: { organization_id: organizationId },
    });
    expect(fake.requestsWithKey(`customer:${organizationId}`)).toBe(2);
    expect(fake.requests.at(-1)?.stripeVersion).toBe(STRIPE_API_VERSION);
  });

  it('refuses to build without Stripe settings, and a wrong secret key is refused by the API', async () => {
    expect(() => new StripeGateway(configFor(null), clock)).toThrow(/STRIPE_SECRET_KEY/);
    const wrong = new StripeGateway(configFor({ secretKey: 'sk_test_wrong', apiUrl: fake.url, checkout: false }), clock);
    await expect(wrong.createCustomer({ organizationId: randomUUID(), name: 'X' })).rejects.toBeInstanceOf(
      Stripe.errors.StripeAuthenticationError,
    );
  });
});

describe('StripeGateway on-session charges', () => {
  it('creates a PaymentIntent for the payment and answers its client_secret', async () => {
    const input = await chargeInput();
    const checkout = await gateway.createCharge(input);

    const intent = fake.intent(checkout.transactionId)!;
    expect(checkout).toEqual({ transactionId: expect.stringMatching(/^pi_/), clientSecret: intent.client_secret });
    expect(intent).toMatchObject({
      amount: 4900,
      currency: 'usd',
      customer: input.customerRef,
      description: input.description,
      metadata: { payment_id: input.paymentId, organization_id: input.organizationId },
      automatic_payment_methods: { enabled: true },
      status: 'requires_payment_method',
    });
    expect(fake.requests.find((r) => r.idempotencyKey === input.idempotencyKey)?.params.currency).toBe('usd');
  });

  it('refuses an amount under Stripe’s minimum charge with a 422 naming it, not a 500', async () => {
    await expect(gateway.createCharge(await chargeInput({ amountMinor: 49 }))).rejects.toMatchObject({
      code: 'amount_below_gateway_minimum',
      kind: 'unprocessable',
    });
  });

  it('a create sent twice with the same idempotency key makes one intent', async () => {
    const input = await chargeInput();
    const first = await gateway.createCharge(input);
    const second = await gateway.createCharge(input);
    expect(second).toEqual(first);
    expect(intentsOf(input.paymentId)).toHaveLength(1);
    expect(fake.requestsWithKey(input.idempotencyKey)).toBe(2);
  });

  it('the same key with another amount is a 409 idempotency_key_reused, and the first intent stands', async () => {
    const input = await chargeInput();
    const first = await gateway.createCharge(input);
    expect(await failure(gateway.createCharge({ ...input, amountMinor: 5900 }))).toMatchObject({
      status: 409,
      code: 'idempotency_key_reused',
    });
    expect(intentsOf(input.paymentId).map((i) => [i.id, i.amount])).toEqual([[first.transactionId, 4900]]);
  });

  it('a create whose answer was lost is retried with the same key and charges once', async () => {
    const input = await chargeInput();
    fake.dropNextResponse();
    const checkout = await gateway.createCharge(input);
    expect(fake.requestsWithKey(input.idempotencyKey)).toBe(2);
    expect(intentsOf(input.paymentId).map((i) => i.id)).toEqual([checkout.transactionId]);
  });

  it('a Stripe outage is a 503 gateway_unreachable, and nothing is created', async () => {
    const input = await chargeInput();
    fake.failNext(1, { retry: false });
    expect(await failure(gateway.createCharge(input))).toMatchObject({ status: 503, code: 'gateway_unreachable' });
    expect(intentsOf(input.paymentId)).toHaveLength(0);
  });
});

describe('StripeGateway.retrieveCharge', () => {
  it.each([
    ['a new intent', (_id: string) => undefined, { status: 'pending' }],
    ['a confirmed test card', (id: string) => fake.confirmIntent(id, 'pm_card_visa'), { status: 'succeeded' }],
    [
      'a declined card',
      (id: string) => fake.confirmIntent(id, 'pm_card_chargeDeclined'),
      { status: 'failed', failureCode: 'generic_decline', failureMessage: 'Your card was declined.' },
    ],
    [
      'insufficient funds',
      (id: string) => fake.confirmIntent(id, 'pm_card_chargeDeclinedInsufficientFunds'),
      { status: 'failed', failureCode: 'insufficient_funds' },
    ],
    [
      'a failure with only a code',
      (id: string) => fake.setIntentStatus(id, 'requires_payment_method', { code: 'expired_card' }),
      { status: 'failed', failureCode: 'expired_card' },
    ],
    ['a cancelled intent', (id: string) => fake.setIntentStatus(id, 'canceled'), { status: 'cancelled' }],
    ['a processing intent', (id: string) => fake.setIntentStatus(id, 'processing'), { status: 'pending' }],
    ['an intent waiting for 3-D Secure', (id: string) => fake.setIntentStatus(id, 'requires_action'), { status: 'pending' }],
  ])('maps %s', async (_name, act, expected) => {
    const input = await chargeInput();
    const { transactionId } = await gateway.createCharge(input);
    act(transactionId);
    expect(await gateway.retrieveCharge(transactionId)).toMatchObject({
      transactionId,
      amountMinor: 4900,
      currency: 'USD',
      paymentId: input.paymentId,
      ...expected,
    });
  });

  it('an unknown or malformed transaction id is a 404', async () => {
    expect(await failure(gateway.retrieveCharge('pi_doesnotexist'))).toMatchObject({ status: 404, code: 'gateway_transaction_not_found' });
    const before = fake.requests.length;
    expect(await failure(gateway.retrieveCharge('../customers/cus_x'))).toMatchObject({ status: 404 });
    expect(fake.requests.length).toBe(before);
  });
});

describe('fake Stripe', () => {
  it('confirms an intent over the API as Stripe.js does: a decline is a 402 with the intent', async () => {
    const { transactionId } = await gateway.createCharge(await chargeInput());
    const sdk = new Stripe(fake.apiKey, { host: '127.0.0.1', port: new URL(fake.url).port, protocol: 'http', maxNetworkRetries: 0 });
    const declined = await sdk.paymentIntents.confirm(transactionId, { payment_method: 'pm_card_chargeDeclined' }).catch((e: unknown) => e);
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(declined).toMatchObject({ statusCode: 402, code: 'card_declined', payment_intent: { id: transactionId } });
    expect((await sdk.paymentIntents.confirm(transactionId, { payment_method: 'pm_card_visa' })).status).toBe('succeeded');
  });
});

describe('StripeGateway.attachPaymentMethod', () => {
  it('attaches a card token and makes it the default for renewals', async () => {
    const ref = await customer();
    const method = await gateway.attachPaymentMethod(ref, 'tok_visa');
    expect(method).toEqual({ ref: expect.stringMatching(/^pm_/), brand: 'visa', last4: '4242' });
    expect(fake.paymentMethod(method.ref)?.customer).toBe(ref);
    expect(fake.customer(ref)?.invoice_settings.default_payment_method).toBe(method.ref);
  });

  it('attaches a PaymentMethod id', async () => {
    const ref = await customer();
    const method = await gateway.attachPaymentMethod(ref, 'pm_card_mastercard');
    expect(method).toMatchObject({ brand: 'mastercard', last4: '4444' });
    expect(fake.customer(ref)?.invoice_settings.default_payment_method).toBe(method.ref);
  });

  it('a declined card is a 422 payment_method_declined with the decline code, and nothing is saved', async () => {
    const ref = await customer();
    expect(await failure(gateway.attachPaymentMethod(ref, 'tok_chargeDeclined'))).toEqual({
      status: 422,
      code: 'payment_method_declined',
      message: 'Your card was declined.',
      details: { decline_code: 'generic_decline' },
    });
    expect(await failure(gateway.attachPaymentMethod(ref, 'tok_chargeDeclinedInsufficientFunds'))).toMatchObject({
      details: { decline_code: 'insufficient_funds' },
    });
    expect(fake.customer(ref)?.invoice_settings.default_payment_method).toBeNull();
  });

  it('an unknown token or a string that is not a token is a 400 payment_method_invalid', async () => {
    const ref = await customer();
    expect(await failure(gateway.attachPaymentMethod(ref, 'tok_nosuchtoken'))).toMatchObject({
      status: 400,
      code: 'payment_method_invalid',
    });
    const before = fake.requests.length;
    expect(await failure(gateway.attachPaymentMethod(ref, '4242424242424242'))).toMatchObject({
      status: 400,
      code: 'payment_method_invalid',
    });
    expect(fake.requests.length).toBe(before);
  });
});

describe('StripeGateway.chargeOffSession', () => {
  async function offSession(token: string) {
    const input = await chargeInput();
    const method = token.startsWith('tok_') ? (await gateway.attachPaymentMethod(input.customerRef, token)).ref : token;
    return { input, method, charge: await gateway.chargeOffSession({ ...input, paymentMethodRef: method }) };
  }

  it('charges the saved card without the payer', async () => {
    const { input, charge } = await offSession('tok_visa');
    expect(charge).toMatchObject({ status: 'succeeded', amountMinor: 4900, currency: 'USD', paymentId: input.paymentId });
    const sent = fake.requests.find((r) => r.idempotencyKey === input.idempotencyKey)!.params;
    expect(sent).toMatchObject({ off_session: 'true', confirm: 'true', automatic_payment_methods: { allow_redirects: 'never' } });
    expect(fake.intent(charge.transactionId)).toMatchObject({ status: 'succeeded', customer: input.customerRef });
  });

  it('a decline resolves to a failed charge naming the intent (not a throw), and a retried call charges once', async () => {
    const { input, method, charge } = await offSession('tok_chargeCustomerFail');
    expect(charge).toMatchObject({ status: 'failed', failureCode: 'generic_decline', failureMessage: 'Your card was declined.' });
    expect(fake.intent(charge.transactionId)?.status).toBe('requires_payment_method');

    const again = await gateway.chargeOffSession({ ...input, paymentMethodRef: method });
    expect(again.transactionId).toBe(charge.transactionId);
    expect(intentsOf(input.paymentId)).toHaveLength(1);
  });

  it('insufficient funds is a failed charge with that code', async () => {
    const { charge } = await offSession('pm_card_chargeDeclinedInsufficientFunds');
    expect(charge).toMatchObject({ status: 'failed', failureCode: 'insufficient_funds', transactionId: expect.stringMatching(/^pi_/) });
  });

  it('a saved method Stripe no longer knows is a failed charge; an outage throws', async () => {
    const { charge } = await offSession('pm_detachedlongago');
    expect(charge).toMatchObject({ status: 'failed', failureCode: 'resource_missing', transactionId: '' });

    const input = await chargeInput();
    fake.failNext(1, { retry: false });
    expect(await failure(gateway.chargeOffSession({ ...input, paymentMethodRef: 'pm_card_visa' }))).toMatchObject({ status: 503 });
  });
});

describe('StripeGateway with STRIPE_CHECKOUT', () => {
  it('answers a Checkout Session url, and reads the charge through the session', async () => {
    const checkoutGateway = new StripeGateway(configFor({ secretKey: fake.apiKey, apiUrl: fake.url, checkout: true }), clock);
    const input = await chargeInput({ amountMinor: 12000, currency: 'EUR' });
    const checkout = await checkoutGateway.createCharge(input);
    expect(checkout).toEqual({ transactionId: expect.stringMatching(/^cs_/), checkoutUrl: fake.session(checkout.transactionId)!.url });

    const back = `https://atrium.test/billing/payments/${input.paymentId}`;
    const sent = fake.requests.find((r) => r.idempotencyKey === input.idempotencyKey)!.params;
    expect(sent).toMatchObject({
      mode: 'payment',
      customer: input.customerRef,
      line_items: [{ quantity: '1', price_data: { currency: 'eur', unit_amount: '12000', product_data: { name: input.description } } }],
      success_url: `${back}?checkout=success&transaction_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${back}?checkout=cancelled&transaction_id={CHECKOUT_SESSION_ID}`,
      payment_intent_data: { metadata: { payment_id: input.paymentId, organization_id: input.organizationId } },
    });

    const cs = checkout.transactionId;
    expect(await checkoutGateway.retrieveCharge(cs)).toMatchObject({
      transactionId: cs,
      status: 'pending',
      amountMinor: 12000,
      currency: 'EUR',
      paymentId: input.paymentId,
    });
    fake.completeCheckout(cs);
    expect(await checkoutGateway.retrieveCharge(cs)).toMatchObject({ transactionId: cs, status: 'succeeded', paymentId: input.paymentId });
  });

  it('an expired session is cancelled', async () => {
    const checkoutGateway = new StripeGateway(configFor({ secretKey: fake.apiKey, apiUrl: fake.url, checkout: true }), clock);
    const { transactionId } = await checkoutGateway.createCharge(await chargeInput());
    fake.expireCheckout(transactionId);
    expect(await checkoutGateway.retrieveCharge(transactionId)).toMatchObject({ status: 'cancelled' });
  });
});

describe('StripeGateway.verifyEvent', () => {
  async function succeededIntent() {
    const { transactionId } = await gateway.createCharge(await chargeInput());
    fake.confirmIntent(transactionId);
    return transactionId;
  }
  const verify = (payload: string, header: string | undefined) => gateway.verifyEvent(Buffer.from(payload), header);

  it('accepts a signed event and names the intent it is about, without its client_secret', async () => {
    const intentId = await succeededIntent();
    const event = fake.intentEvent(intentId);
    const { payload, header } = signedEvent(event, SECRET, { timestamp: nowS() });
    const verified = verify(payload, header);
    expect(verified).toMatchObject({ id: event.id, type: 'payment_intent.succeeded', transactionId: intentId, createdAt: clock.now() });
    expect(JSON.stringify(verified.raw)).not.toContain('_secret_');
    expect((verified.raw as { data: { object: { metadata: unknown } } }).data.object.metadata).toEqual(fake.intent(intentId)!.metadata);
  });

  it('names the intent of a charge and of a completed Checkout Session', async () => {
    const intentId = await succeededIntent();
    const charge = signedEvent(fake.chargeEvent(intentId), SECRET, { timestamp: nowS() });
    expect(verify(charge.payload, charge.header)).toMatchObject({ type: 'charge.succeeded', transactionId: intentId });

    const checkoutGateway = new StripeGateway(configFor({ secretKey: fake.apiKey, apiUrl: fake.url, checkout: true }), clock);
    const { transactionId: cs } = await checkoutGateway.createCharge(await chargeInput());
    const { intent } = fake.completeCheckout(cs);
    const completed = signedEvent(fake.checkoutEvent(cs), SECRET, { timestamp: nowS() });
    expect(verify(completed.payload, completed.header)).toMatchObject({ type: 'checkout.session.completed', transactionId: intent.id });
  });

  it('accepts t exactly 300 s old or ahead', async () => {
    const event = fake.intentEvent(await succeededIntent());
    for (const t of [nowS() - 300, nowS() + 300]) {
      const { payload, header } = signedEvent(event, SECRET, { timestamp: t });
      expect(verify(payload, header).id).toBe(event.id);
    }
  });

  it.each([
    ['a tampered body', (p: string, h: string) => [p.replace('"succeeded"', '"canceled"'), h]],
    ['a stale t (301 s old)', (p: string) => [p, signedEvent(JSON.parse(p), SECRET, { timestamp: nowS() - 301 }).header]],
    ['a future t (301 s ahead)', (p: string) => [p, signedEvent(JSON.parse(p), SECRET, { timestamp: nowS() + 301 }).header]],
    ['no signature header', (p: string) => [p, undefined]],
    ['an empty signature header', (p: string) => [p, '']],
    ['another secret', (p: string) => [p, signedEvent(JSON.parse(p), 'whsec_other', { timestamp: nowS() }).header]],
    [
      'a v0-only header',
      (p: string) => [p, Stripe.webhooks.generateTestHeaderString({ payload: p, secret: SECRET, timestamp: nowS(), scheme: 'v0' })],
    ],
    [
      'a future t behind a second t',
      (p: string) => [p, `t=${nowS()},${signedEvent(JSON.parse(p), SECRET, { timestamp: nowS() + 301 }).header}`],
    ],
  ])('refuses %s with 400 webhook_signature_invalid, never echoing the header', async (_name, tamper) => {
    const { payload, header } = signedEvent(fake.intentEvent(await succeededIntent()), SECRET, { timestamp: nowS() });
    const [badPayload, badHeader] = tamper(payload, header) as [string, string | undefined];
    const err = await failure(() => verify(badPayload, badHeader));
    expect(err).toMatchObject({ status: 400, code: 'webhook_signature_invalid' });
    if (badHeader) expect(JSON.stringify(err)).not.toContain(badHeader.split('v1=')[1] ?? badHeader);
  });

  it('property: a signed payload verifies, and any single-byte change to it does not', () => {
    const eventArb = fc.record({
      id: fc.string({ minLength: 1, maxLength: 30 }).map((s) => `evt_${s}`),
      type: fc.constantFrom('payment_intent.succeeded', 'payment_intent.payment_failed', 'charge.refunded', 'customer.updated'),
      created: fc.integer({ min: 1_500_000_000, max: 2_000_000_000 }),
      data: fc.record({
        object: fc.record({
          id: fc.string({ maxLength: 30 }),
          object: fc.constantFrom('payment_intent', 'charge', 'customer'),
          metadata: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 40 })),
        }),
      }),
    });
    fc.assert(
      fc.property(eventArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (event, at, delta) => {
        const { payload, header } = signedEvent(event, SECRET, { timestamp: nowS() });
        const bytes = Buffer.from(payload);
        expect(gateway.verifyEvent(bytes, header).id).toBe(event.id);

        const changed = Buffer.from(bytes);
        const i = at % changed.length;
        changed[i] = (changed[i] + delta) % 256;
        expect(() => gateway.verifyEvent(changed, header)).toThrow(expect.objectContaining({ code: 'webhook_signature_invalid' }));
      }),
      { numRuns: 300 },
    );
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { type AppConfig, createDataSource, Outbox, TestClock } from '@atrium/platform';
import { BillingConfig } from '../../billing.config.js';
import { SandboxLedger } from './sandbox-ledger.js';
import { signSandboxPayload } from './sandbox-signature.js';
import { SandboxGateway } from './sandbox.gateway.js';

// The run's database (test/support/global-setup.ts provides it); declared here too, for builds that leave test/ out.
declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

const SECRET = `sbx_test_${randomBytes(16).toString('hex')}`;
// Outbox records of this file live in a scope no relay serves: the callbacks they queue are not this spec's subject.
const SCOPE = `sandbox_spec_${randomBytes(4).toString('hex')}`;

let ds: DataSource;
let clock: TestClock;
let gateway: SandboxGateway;

function configWith(sandbox: BillingConfig['sandbox']): BillingConfig {
  return new BillingConfig(null, '', false, sandbox, { noticeDays: 7, retryDays: [1, 3, 5], graceDays: 7 }, 'http://atrium.test', false, {
    sellerName: 'Atrium',
    sellerAddress: [],
    sellerTaxId: null,
    font: { regular: '', bold: '' },
  });
}

function gatewayWith(config: BillingConfig): SandboxGateway {
  const outbox = new Outbox({ queue: { prefix: SCOPE } } as AppConfig);
  return new SandboxGateway(config, new SandboxLedger(ds, outbox), clock);
}

beforeAll(async () => {
  ds = createDataSource({ url: inject('databaseUrl'), entities: [], migrations: [], poolSize: 4, applicationName: 'sandbox-gateway-spec' });
  await ds.initialize();
  clock = new TestClock(new Date('2027-03-01T10:00:00Z'));
  gateway = gatewayWith(configWith({ webhookSecret: SECRET, callbackUrl: 'http://atrium.test/api/v1/payments/webhooks/sandbox' }));
});
afterAll(async () => {
  await ds?.query('DELETE FROM outbox_events WHERE scope = $1', [SCOPE]);
  await ds?.destroy();
});

/** A fresh organization's sandbox customer. */
async function customer(): Promise<{ organizationId: string; customerRef: string }> {
  const organizationId = randomUUID();
  return { organizationId, customerRef: await gateway.createCustomer({ organizationId, name: 'Acme', email: 'billing@acme.test' }) };
}

function chargeInput(
  c: { organizationId: string; customerRef: string },
  over: Partial<{ amountMinor: number; idempotencyKey: string }> = {},
) {
  const paymentId = randomUUID();
  return {
    paymentId,
    organizationId: c.organizationId,
    customerRef: c.customerRef,
    amountMinor: 4900,
    currency: 'USD',
    description: 'Upgrade to Platinum',
    idempotencyKey: `payment:${paymentId}`,
    ...over,
  };
}

const eventsOf = (chargeId: string) =>
  ds.query<Array<{ id: string; type: string; payload: any }>>('SELECT id, type, payload FROM sandbox_events WHERE charge_id = $1', [
    chargeId,
  ]);

describe('sandbox customers', () => {
  it('keeps one customer per organization', async () => {
    const c = await customer();
    expect(c.customerRef).toMatch(/^sbx_cus_[0-9a-f]{24}$/);
    expect(await gateway.createCustomer({ organizationId: c.organizationId, name: 'Acme Renamed' })).toBe(c.customerRef);
    const rows = await ds.query('SELECT name FROM sandbox_customers WHERE organization_id = $1', [c.organizationId]);
    expect(rows).toEqual([{ name: 'Acme Renamed' }]);
  });
});

describe('on-session charges', () => {
  it('answer a checkout page URL under the public URL, and the same charge and URL for the same idempotency key', async () => {
    const c = await customer();
    const input = chargeInput(c);
    const first = await gateway.createCharge(input);
    expect(first.transactionId).toMatch(/^sbx_ch_[0-9a-f]{24}$/);
    expect(first.checkoutUrl).toMatch(/^http:\/\/atrium\.test\/api\/v1\/sandbox\/checkout\/[A-Za-z0-9_-]{43}$/);
    const again = await Promise.all([gateway.createCharge(input), gateway.createCharge(input)]);
    expect(again).toEqual([first, first]);
    const rows = await ds.query('SELECT * FROM sandbox_charges WHERE idempotency_key = $1', [input.idempotencyKey]);
    expect(rows).toHaveLength(1);
    // Only a hash of the page token is kept: a read of the table opens no page.
    const token = first.checkoutUrl!.split('/').pop()!;
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]).toMatchObject({ status: 'pending', amount_minor: '4900', currency: 'USD', off_session: false });
  });

  it('refuse an idempotency key reused for a different charge', async () => {
    const c = await customer();
    const input = chargeInput(c);
    await gateway.createCharge(input);
    await expect(gateway.createCharge({ ...input, amountMinor: 100 })).rejects.toMatchObject({
      code: 'idempotency_key_reused',
      kind: 'conflict',
    });
  });

  it('are pending at the gateway until the payer acts, and unknown ids are not found', async () => {
    const c = await customer();
    const input = chargeInput(c);
    const { transactionId } = await gateway.createCharge(input);
    expect(await gateway.retrieveCharge(transactionId)).toEqual({
      transactionId,
      status: 'pending',
      amountMinor: 4900,
      currency: 'USD',
      paymentId: input.paymentId,
      failureCode: null,
      failureMessage: null,
    });
    await expect(gateway.retrieveCharge('sbx_ch_000000000000000000000000')).rejects.toMatchObject({ code: 'sandbox_charge_not_found' });
    await expect(gateway.createCharge(chargeInput({ ...c, customerRef: 'sbx_cus_nobody' }))).rejects.toMatchObject({
      code: 'sandbox_customer_not_found',
    });
  });

  it.each([[{ amountMinor: 49.5 }], [{ amountMinor: 0 }], [{ currency: 'XYZ' }]])(
    'refuse %j as a programming error, storing nothing',
    async (bad) => {
      const c = await customer();
      const input = { ...chargeInput(c), ...bad };
      await expect(gateway.createCharge(input)).rejects.toBeInstanceOf(RangeError);
      expect(await ds.query('SELECT 1 FROM sandbox_charges WHERE idempotency_key = $1', [input.idempotencyKey])).toEqual([]);
    },
  );

  it('refuse a return URL that is not http(s)', async () => {
    const c = await customer();
    await expect(gateway.createCharge({ ...chargeInput(c), returnUrl: 'javascript:alert(1)' })).rejects.toMatchObject({
      code: 'return_url_invalid',
      kind: 'bad_request',
    });
  });
});

describe('saved cards (documented test tokens)', () => {
  it.each([
    ['tok_visa', '4242'],
    ['tok_chargeDeclined', '0002'],
    ['tok_chargeDeclinedInsufficientFunds', '9995'],
  ])('%s is saved as a visa ending %s', async (token, last4) => {
    const c = await customer();
    const method = await gateway.attachPaymentMethod(c.customerRef, token);
    expect(method).toEqual({ ref: expect.stringMatching(/^sbx_pm_[0-9a-f]{24}$/), brand: 'visa', last4 });
  });

  it.each(['tok_mastercard', 'constructor', '4242424242424242'])('an unknown token (%s) is refused, naming it', async (token) => {
    const c = await customer();
    const err = await gateway.attachPaymentMethod(c.customerRef, token).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'payment_method_invalid', kind: 'bad_request' });
    expect((err as Error).message).toContain(`"${token}"`);
  });
});

describe('off-session charges', () => {
  it.each([
    ['tok_visa', 'succeeded', null, 'charge.succeeded'],
    ['tok_chargeDeclined', 'failed', 'card_declined', 'charge.failed'],
    ['tok_chargeDeclinedInsufficientFunds', 'failed', 'insufficient_funds', 'charge.failed'],
  ])('with %s end %s (%s) at once, and record the %s event whose callback is queued', async (token, status, failureCode, type) => {
    const c = await customer();
    const { ref } = await gateway.attachPaymentMethod(c.customerRef, token);
    const input = { ...chargeInput(c), paymentMethodRef: ref };
    const charge = await gateway.chargeOffSession(input);
    expect(charge).toMatchObject({ status, failureCode, amountMinor: 4900, currency: 'USD', paymentId: input.paymentId });
    expect(await gateway.retrieveCharge(charge.transactionId)).toEqual(charge);
    const events = await eventsOf(charge.transactionId);
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe(type);
    expect(events[0].payload).toMatchObject({
      id: events[0].id,
      object: 'event',
      type,
      data: {
        object: {
          id: charge.transactionId,
          object: 'charge',
          amount: 4900,
          currency: 'usd',
          status,
          failure_code: failureCode,
          metadata: { payment_id: input.paymentId, organization_id: c.organizationId },
        },
      },
    });
    const queued = await ds.query('SELECT payload FROM outbox_events WHERE scope = $1 AND payload @> $2::jsonb', [
      SCOPE,
      JSON.stringify({ event_id: events[0].id }),
    ]);
    expect(queued).toHaveLength(1);
  });

  it('charge once per idempotency key: a retry answers the same charge and records no second event', async () => {
    const c = await customer();
    const { ref } = await gateway.attachPaymentMethod(c.customerRef, 'tok_visa');
    const input = { ...chargeInput(c), paymentMethodRef: ref };
    const [a, b] = await Promise.all([gateway.chargeOffSession(input), gateway.chargeOffSession(input)]);
    expect(b).toEqual(a);
    expect(await gateway.chargeOffSession(input)).toEqual(a);
    expect(await eventsOf(a.transactionId)).toHaveLength(1);
  });

  it("cannot charge another customer's saved card", async () => {
    const owner = await customer();
    const other = await customer();
    const { ref } = await gateway.attachPaymentMethod(owner.customerRef, 'tok_visa');
    await expect(gateway.chargeOffSession({ ...chargeInput(other), paymentMethodRef: ref })).rejects.toMatchObject({
      code: 'sandbox_payment_method_not_found',
    });
  });
});

describe('verifyEvent (Stripe signature scheme, sandbox secret, 300 s either way)', () => {
  const now = () => clock.now();
  const event = () =>
    JSON.stringify({
      id: `evt_sbx_${randomBytes(12).toString('hex')}`,
      object: 'event',
      type: 'charge.succeeded',
      created: Math.floor(now().getTime() / 1000),
      data: { object: { id: 'sbx_ch_abc', object: 'charge', amount: 4900, currency: 'usd', status: 'succeeded', metadata: {} } },
    });
  const at = (seconds: number) => new Date(now().getTime() + seconds * 1000);
  const refused = (body: string, header: string | undefined) => {
    expect(() => gateway.verifyEvent(Buffer.from(body), header)).toThrow(
      expect.objectContaining({ code: 'webhook_signature_invalid', kind: 'bad_request' }),
    );
  };

  it('accepts a callback signed now, by the sandbox or by the stripe SDK with the same secret', () => {
    const body = event();
    const parsed = JSON.parse(body);
    const verified = gateway.verifyEvent(Buffer.from(body), signSandboxPayload(body, SECRET, now()));
    expect(verified).toEqual({
      id: parsed.id,
      type: 'charge.succeeded',
      transactionId: 'sbx_ch_abc',
      createdAt: new Date(parsed.created * 1000),
      raw: parsed,
    });
    const sdkHeader = Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: SECRET,
      timestamp: Math.floor(now().getTime() / 1000),
    });
    expect(gateway.verifyEvent(Buffer.from(body), sdkHeader).id).toBe(parsed.id);
  });

  it('accepts t up to 300 s old or ahead', () => {
    const body = event();
    expect(gateway.verifyEvent(Buffer.from(body), signSandboxPayload(body, SECRET, at(-300))).type).toBe('charge.succeeded');
    expect(gateway.verifyEvent(Buffer.from(body), signSandboxPayload(body, SECRET, at(300))).type).toBe('charge.succeeded');
  });

  it('refuses a tampered body', () => {
    const body = event();
    refused(body.replace('"amount":4900', '"amount":1'), signSandboxPayload(body, SECRET, now()));
  });

  it('refuses a stale t (301 s old)', () => {
    const body = event();
    refused(body, signSandboxPayload(body, SECRET, at(-301)));
  });

  it('refuses a t from the future (301 s ahead)', () => {
    const body = event();
    refused(body, signSandboxPayload(body, SECRET, at(301)));
  });

  it('refuses an unsigned callback', () => {
    const body = event();
    refused(body, undefined);
    refused(body, '');
    refused(body, `t=${Math.floor(now().getTime() / 1000)}`);
  });

  it('refuses a signature made with another secret', () => {
    const body = event();
    refused(body, signSandboxPayload(body, `${SECRET}x`, now()));
  });

  it('refuses a v0-only header, even one carrying a valid signature', () => {
    const body = event();
    refused(body, signSandboxPayload(body, SECRET, now()).replace('v1=', 'v0='));
  });
});

describe('a sandbox that is not offered (production without SANDBOX_PAYMENTS)', () => {
  it('refuses every call with gateway_unavailable', async () => {
    const off = gatewayWith(configWith(null));
    const c = await customer();
    await expect(off.createCustomer({ organizationId: randomUUID(), name: 'X' })).rejects.toMatchObject({
      code: 'gateway_unavailable',
      kind: 'bad_request',
    });
    await expect(off.createCharge(chargeInput(c))).rejects.toMatchObject({ code: 'gateway_unavailable' });
    await expect(off.attachPaymentMethod(c.customerRef, 'tok_visa')).rejects.toMatchObject({ code: 'gateway_unavailable' });
    expect(() => off.verifyEvent(Buffer.from('{}'), 't=1,v1=00')).toThrow(expect.objectContaining({ code: 'gateway_unavailable' }));
  });
});

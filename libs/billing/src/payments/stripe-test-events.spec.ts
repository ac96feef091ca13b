import { describe, expect, it } from 'vitest';
import { Clock, DomainError } from '@atrium/platform';
import type { DataSource } from 'typeorm';
import { BillingConfig } from '../billing.config.js';
import type { PaymentWebhooks } from './payment-webhooks.service.js';
import { StripeTestEvents } from './stripe-test-events.js';

const config = (production: boolean, stripeTestEvents: boolean) =>
  new BillingConfig(
    null,
    'whsec_x',
    stripeTestEvents,
    null,
    { noticeDays: 7, retryDays: [1], graceDays: 7 },
    'http://atrium.test',
    production,
    {
      sellerName: 'Atrium',
      sellerAddress: [],
      sellerTaxId: null,
      font: { regular: '', bold: '' },
    },
  );

const dataSource = { getRepository: () => ({}) } as unknown as DataSource;
const events = (production: boolean, allowed: boolean) =>
  new StripeTestEvents(dataSource, config(production, allowed), {} as PaymentWebhooks, new Clock());

describe('POST /webhooks/test/stripe availability', () => {
  it('is refused as a 404 in production unless STRIPE_TEST_EVENTS=true, and offered everywhere else', () => {
    let refused: unknown;
    try {
      events(true, false).assertAvailable();
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ kind: 'not_found' });
    expect(() => events(true, true).assertAvailable()).not.toThrow();
    expect(() => events(false, false).assertAvailable()).not.toThrow();
  });
});

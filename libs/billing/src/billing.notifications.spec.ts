import { describe, expect, it } from 'vitest';
import { outboxEvent, registeredTypes } from '../../../test/support/notification-types.js';
import { BillingNotifications } from './billing.notifications.js';

const { registry, type } = registeredTypes(BillingNotifications);
const event = (name: string, payload: object) => outboxEvent(name, payload, { organizationId: 'org-1' });
const payment = {
  payment_id: 'pay-1',
  payment_type: 'package_upgrade',
  amount_minor: 123456,
  currency: 'PLN',
  description: 'Upgrade to Business (monthly)',
  created_by: 'owner-1',
};

describe('the billing notification types', () => {
  it('are accepted by the registry, produced by the events billing publishes, for those who manage billing, in-app', () => {
    expect(registry.all().map((t) => [t.key, t.event])).toEqual([
      ['billing.payment_failed', 'billing.payment_failed'],
      ['billing.payment_succeeded', 'billing.payment_succeeded'],
      ['billing.renewal_upcoming', 'billing.renewal_upcoming'],
    ]);
    for (const t of registry.all()) {
      expect(t.recipients).toEqual({ permission: 'billing.manage' });
      // Billing mails these itself: email here would send them twice.
      expect(t.defaults).toEqual({ in_app: true, email: false });
    }
  });

  it.each([
    [
      'billing.payment_succeeded',
      { ...payment, invoice_id: 'inv-1', invoice_number: 'INV-2026-0042' },
      ['PLN 1,234.56', 'Upgrade to Business (monthly)', 'INV-2026-0042'],
    ],
    [
      'billing.payment_failed',
      { ...payment, failure_code: 'card_declined', failure_message: 'Your card was declined' },
      ['PLN 1,234.56', 'Your card was declined', 'another card'],
    ],
    [
      'billing.payment_failed',
      { ...payment, payment_type: 'renewal', failure_code: 'card_declined', failure_message: null },
      ['card_declined', 'retried automatically'],
    ],
    ['billing.payment_succeeded', { ...payment, amount_minor: 500, currency: 'JPY' }, ['¥500']],
    [
      'billing.renewal_upcoming',
      {
        renewal_id: 'ren-1',
        package_id: 3,
        package_name: 'Business',
        period_end: '2026-12-12T00:00:00.000Z',
        period: 'monthly',
        amount_minor: 4900,
        currency: 'EUR',
        card_last4: '4242',
      },
      ['Business', '12 Dec 2026', '€49.00', 'ending 4242', 'auto-renewal off'],
    ],
  ])('%s names the amount with its currency and what it was for', (key, payload, facts) => {
    const content = type(key).render(event(key, payload), 'owner-1');
    // Intl puts a no-break space between a currency code and the digits.
    const text = `${content.title}\n${content.body}`.replace(/\u00a0/g, ' ');
    for (const fact of facts) expect(text).toContain(fact);
    expect(content.link).toBe('/billing');
    expect(content.body).not.toMatch(/undefined|null/);
  });

  it('carries the ids the client opens', () => {
    const paid = type('billing.payment_succeeded').render(
      event('billing.payment_succeeded', { ...payment, invoice_id: 'inv-1', invoice_number: 'INV-1' }),
      'owner-1',
    );
    expect(paid.data).toEqual({ payment_id: 'pay-1', invoice_id: 'inv-1', invoice_number: 'INV-1' });
  });
});

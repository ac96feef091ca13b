import { describe, expect, it } from 'vitest';
import { failureMail, receiptMail } from './payment-mails.js';
import type { PaymentEventPayload } from './payment-settlement.js';

const admin = { id: 'u1', email: 'admin@example.test', first_name: 'Ada' };
const payment = (amount_minor: number, currency: string): PaymentEventPayload => ({
  payment_id: '00000000-0000-4000-8000-000000000001',
  payment_type: 'package_upgrade',
  amount_minor,
  currency,
  description: 'Upgrade to Basic',
  created_by: null,
  invoice_number: 'INV-2026-000001',
});
const plain = (s: string) => s.replace(/\u00a0/g, ' ');

describe('payment mails', () => {
  it.each([
    [19000, 'USD', '$190.00'],
    [500, 'JPY', '¥500'],
    // The invoice prints fils (3 digits); Intl's own display would round this to IQD 1,235.
    [1234567, 'IQD', 'IQD 1,234.567'],
  ])('write %i %s as the invoice does: %s', (minor, currency, shown) => {
    const receipt = receiptMail(admin, payment(minor, currency), 'https://app.example.test');
    expect(plain(receipt.subject)).toBe(`Receipt: ${shown} paid (INV-2026-000001)`);
    expect(plain(receipt.text)).toContain(`We received ${shown} for: Upgrade to Basic.`);
    expect(plain(failureMail(admin, payment(minor, currency), 'https://app.example.test').subject)).toBe(`Payment failed: ${shown}`);
  });
});

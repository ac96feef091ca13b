import { Injectable, type OnModuleInit } from '@nestjs/common';
import { defineNotificationType, formatUtcDay, type NotificationType, NotificationTypeRegistry } from '@atrium/platform';
import { formatMinor } from './invoices/money-format.js';
import { PAYMENT_FAILED, PAYMENT_SUCCEEDED, type PaymentEventPayload } from './payments/payment-settlement.js';
import { RENEWAL_UPCOMING, type RenewalUpcomingPayload } from './renewals/renewal-events.js';

const BILLING_ADMINS = { permission: 'billing.manage' };
/**
 * In-app only by default: billing already mails these to the same people whatever their preferences (the receipt with
 * its invoice, the failure, the renewal notice: payment-mails.ts, renewal-mails.ts), so email here would send each twice.
 */
const IN_APP = { in_app: true, email: false };

/** Written as the invoice writes it: the currency's ISO minor digits, no float. */
const amountOf = (p: { amount_minor: number; currency: string }) => formatMinor(p.amount_minor, p.currency);

const paymentSucceeded = defineNotificationType<PaymentEventPayload>({
  key: 'billing.payment_succeeded',
  description: 'Payments received',
  event: PAYMENT_SUCCEEDED,
  defaults: IN_APP,
  recipients: BILLING_ADMINS,
  render: ({ payload: p }) => ({
    title: `Payment received: ${amountOf(p)}`,
    body:
      `We received ${amountOf(p)} for ${p.description}.` +
      `${p.invoice_number ? ` Invoice ${p.invoice_number} is ready to download on the Billing page.` : ''}`,
    link: '/billing',
    data: { payment_id: p.payment_id, invoice_id: p.invoice_id ?? null, invoice_number: p.invoice_number ?? null },
  }),
});

const paymentFailed = defineNotificationType<PaymentEventPayload>({
  key: 'billing.payment_failed',
  description: 'Failed payments',
  event: PAYMENT_FAILED,
  defaults: IN_APP,
  recipients: BILLING_ADMINS,
  render: ({ payload: p }) => {
    const why = p.failure_message ?? p.failure_code ?? 'the payment was not completed';
    // A renewal is charged again on its own schedule; a purchase is the payer's to retry.
    const next =
      p.payment_type === 'renewal'
        ? 'A failed renewal is retried automatically until its grace period ends: update the card on the Billing page so the package does not lapse.'
        : 'Nothing was bought and nothing changed. Try again with another card on the Billing page.';
    return {
      title: `Payment failed: ${amountOf(p)}`,
      body: `The payment of ${amountOf(p)} for ${p.description} failed: ${why}.\n\n${next}`,
      link: '/billing',
      data: { payment_id: p.payment_id, failure_code: p.failure_code ?? null },
    };
  },
});

const renewalUpcoming = defineNotificationType<RenewalUpcomingPayload>({
  key: 'billing.renewal_upcoming',
  description: 'Upcoming package renewals',
  event: RENEWAL_UPCOMING,
  defaults: IN_APP,
  recipients: BILLING_ADMINS,
  render: ({ payload: p }) => {
    const on = formatUtcDay(new Date(p.period_end));
    const card = p.card_last4 ? ` to the card ending ${p.card_last4}` : '';
    return {
      title: `${p.package_name} renews on ${on}: ${amountOf(p)}`,
      body:
        `Your ${p.package_name} package renews automatically on ${on}. We will charge ${amountOf(p)}${card} then.\n\n` +
        `To change the package or turn auto-renewal off, do it on the Billing page before that date.`,
      link: '/billing',
      data: { renewal_id: p.renewal_id, package_id: p.package_id },
    };
  },
});

/** Every notification type the billing library's events produce. */
export const BILLING_NOTIFICATION_TYPES: NotificationType[] = [paymentSucceeded, paymentFailed, renewalUpcoming];

/** Registers the billing library's notification types: payments and upcoming renewals, for billing admins. */
@Injectable()
export class BillingNotifications implements OnModuleInit {
  constructor(private readonly registry: NotificationTypeRegistry) {}

  onModuleInit(): void {
    this.registry.register(...BILLING_NOTIFICATION_TYPES);
  }
}

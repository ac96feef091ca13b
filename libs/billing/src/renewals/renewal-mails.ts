import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { escapeHtml, type MailMessage, MailService, Outbox, type OutboxEvent, RequestContext } from '@atrium/platform';
import { BillingConfig } from '../billing.config.js';
import { billingAdmins } from '../payments/payment-mails.js';
import { formatMinor } from '../invoices/money-format.js';
import {
  RENEWAL_FAILED,
  RENEWAL_UPCOMING,
  type RenewalFailedPayload,
  type RenewalUpcomingPayload,
  SUBSCRIPTION_LAPSED,
  type SubscriptionLapsedPayload,
} from './renewal-events.js';

type Admin = Awaited<ReturnType<typeof billingAdmins>>[number];
type RenewalEvent = OutboxEvent<RenewalUpcomingPayload | RenewalFailedPayload | SubscriptionLapsedPayload>;

/**
 * Outbox subscriber `billing.renewal-mail`: mails the billing admins the upcoming renewal (amount and date), each
 * failed renewal attempt (with the retry date, or the date the package ends) and the move to Free. The receipt of a
 * successful renewal is the payment's (payment-mails.ts). Keyed per renewal, attempt and person: a redelivery sends
 * nothing new.
 */
@Injectable()
export class RenewalMails implements OnModuleInit {
  constructor(
    private readonly outbox: Outbox,
    private readonly mail: MailService,
    private readonly config: BillingConfig,
  ) {}

  onModuleInit(): void {
    this.outbox.subscribe({
      name: 'billing.renewal-mail',
      events: [RENEWAL_UPCOMING, RENEWAL_FAILED, SUBSCRIPTION_LAPSED],
      handle: (event, em) => this.notify(event as RenewalEvent, em),
    });
  }

  private async notify(event: RenewalEvent, em: EntityManager): Promise<void> {
    if (!event.organizationId || !event.payload?.renewal_id) return;
    const ctx = RequestContext.system(event.requestId ?? event.id, event.organizationId);
    const manage = `${this.config.publicUrl}/api/v1/organizations/me/package`;
    for (const admin of await billingAdmins(em, event.organizationId)) {
      const { message, key } = this.compose(event, admin, manage);
      await this.mail.sendIn(em, ctx, message, `${key}:${admin.id}`);
    }
  }

  private compose(event: RenewalEvent, to: Admin, manage: string): { message: MailMessage; key: string } {
    const hello = `Hello${to.first_name ? ` ${to.first_name}` : ''},\n\n`;
    const html = (text: string) => `<p>${escapeHtml(text).replace(/\n\n/g, '</p><p>').replace(/\n/g, '<br>')}</p>`;
    const mail = (subject: string, body: string): MailMessage => ({
      to: to.email,
      subject,
      text: `${hello}${body}\n\nManage your package: ${manage}\n\n— Atrium`,
      html: `${html(body)}<p><a href="${escapeHtml(manage)}">Manage your package</a></p><p>— Atrium</p>`,
      links: [manage],
    });
    switch (event.name) {
      case RENEWAL_UPCOMING: {
        const p = event.payload as RenewalUpcomingPayload;
        const amount = formatMinor(p.amount_minor, p.currency);
        const card = p.card_last4 ? ` to the card ending ${p.card_last4}` : '';
        return {
          key: `${event.name}:${p.renewal_id}`,
          message: mail(
            `Your ${p.package_name} package renews on ${day(p.period_end)}: ${amount}`,
            `Your ${p.package_name} package renews automatically on ${day(p.period_end)}. We will charge ${amount}${card} then.\n` +
              `To change the package or turn auto-renewal off, do it before that date.`,
          ),
        };
      }
      case RENEWAL_FAILED: {
        const p = event.payload as RenewalFailedPayload;
        const amount = formatMinor(p.amount_minor, p.currency);
        const why = p.failure_message ?? p.failure_code;
        const next = p.retry_at
          ? `We will try again on ${day(p.retry_at)}.`
          : `That was the last attempt: unless a payment succeeds, the package ends on ${day(p.lapse_at)}.`;
        return {
          key: `${event.name}:${p.renewal_id}:${p.attempt}`,
          message: mail(
            `Renewal payment failed: ${amount} for ${p.package_name}`,
            `The renewal of your ${p.package_name} package (${amount}) failed: ${why}.\n${next}\n` +
              `Your package stays in force until ${day(p.lapse_at)}; then the organization moves to the Free package. ` +
              `Update the card (auto-renew settings) to keep it.`,
          ),
        };
      }
      default: {
        const p = event.payload as SubscriptionLapsedPayload;
        const why =
          p.reason === 'payment_failed'
            ? 'the renewal could not be paid'
            : p.reason === 'auto_renew_off'
              ? 'auto-renewal was off'
              : 'you chose the Free package';
        return {
          key: `${event.name}:${p.renewal_id}`,
          message: mail(
            `Your ${p.package_name} package has ended`,
            `Your ${p.package_name} package ended on ${day(p.period_end)} because ${why}. The organization is on the Free ` +
              `package now: all its data is kept, and Free's limits apply to anything new. Choose a package to get more back.`,
          ),
        };
      }
    }
  }
}

const day = (iso: string) => iso.slice(0, 10);

import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { escapeHtml, type MailMessage, MailService, Outbox, type OutboxEvent, RequestContext } from '@atrium/platform';
import { BillingConfig } from '../billing.config.js';
import { formatMinor } from '../invoices/money-format.js';
import { PAYMENT_FAILED, PAYMENT_SUCCEEDED, type PaymentEventPayload } from './payment-settlement.js';

/**
 * Outbox subscriber `billing.payment-mail`: mails the organization's billing admins (active members whose role grants
 * `billing.manage`) the receipt with the invoice link when a payment succeeds, and the failure when one fails. The
 * mail is written in the handler's transaction under a key per payment and person, so a redelivery sends nothing new.
 */
@Injectable()
export class PaymentMails implements OnModuleInit {
  constructor(
    private readonly outbox: Outbox,
    private readonly mail: MailService,
    private readonly config: BillingConfig,
  ) {}

  onModuleInit(): void {
    this.outbox.subscribe({
      name: 'billing.payment-mail',
      events: [PAYMENT_SUCCEEDED, PAYMENT_FAILED],
      handle: (event, em) => this.notify(event as OutboxEvent<PaymentEventPayload>, em),
    });
  }

  private async notify(event: OutboxEvent<PaymentEventPayload>, em: EntityManager): Promise<void> {
    const p = event.payload;
    if (!event.organizationId || !p?.payment_id) return;
    // A failed renewal is mailed by renewals (billing.renewal_failed), with the retry date or when the package ends.
    if (event.name === PAYMENT_FAILED && p.payment_type === 'renewal') return;
    const admins = await billingAdmins(em, event.organizationId);
    const ctx = RequestContext.system(event.requestId ?? event.id, event.organizationId);
    for (const admin of admins) {
      const message =
        event.name === PAYMENT_SUCCEEDED ? receiptMail(admin, p, this.config.publicUrl) : failureMail(admin, p, this.config.publicUrl);
      await this.mail.sendIn(em, ctx, message, `${event.name}:${p.payment_id}:${admin.id}`);
    }
  }
}

interface Admin {
  id: string;
  email: string;
  first_name: string | null;
}

export async function billingAdmins(em: EntityManager, organizationId: string): Promise<Admin[]> {
  return em.query(
    `SELECT u.id, u.email, u.first_name FROM memberships m
       JOIN roles r ON r.id = m.role_id
       JOIN users u ON u.id = m.user_id
      WHERE m.organization_id = $1 AND m.status = 'active' AND u.status = 'active' AND 'billing.manage' = ANY (r.permissions)
      ORDER BY u.email`,
    [organizationId],
  );
}

/** Written as the invoice writes it (the currency's ISO minor digits, no float). */
const formatted = (p: PaymentEventPayload) => formatMinor(p.amount_minor, p.currency);

export function receiptMail(to: Admin, p: PaymentEventPayload, publicUrl: string): MailMessage {
  const invoice = `${publicUrl}/api/v1/payments/${p.payment_id}/invoice`;
  const amount = formatted(p);
  return {
    to: to.email,
    subject: `Receipt: ${amount} paid${p.invoice_number ? ` (${p.invoice_number})` : ''}`,
    text:
      `Hello${to.first_name ? ` ${to.first_name}` : ''},\n\nWe received ${amount} for: ${p.description}.\n\n` +
      `Invoice ${p.invoice_number ?? ''}: ${invoice}\n\n— Atrium`,
    html:
      `<p>We received <strong>${escapeHtml(amount)}</strong> for: ${escapeHtml(p.description)}.</p>` +
      `<p><a href="${escapeHtml(invoice)}">Invoice ${escapeHtml(p.invoice_number ?? '')}</a></p><p>— Atrium</p>`,
    links: [invoice],
  };
}

export function failureMail(to: Admin, p: PaymentEventPayload, publicUrl: string): MailMessage {
  const amount = formatted(p);
  const why = p.failure_message ?? p.failure_code ?? 'the payment was not completed';
  const billing = `${publicUrl}/api/v1/payments/${p.payment_id}`;
  return {
    to: to.email,
    subject: `Payment failed: ${amount}`,
    text:
      `Hello${to.first_name ? ` ${to.first_name}` : ''},\n\nThe payment of ${amount} for ${p.description} failed: ${why}` +
      `${p.failure_code ? ` (${p.failure_code})` : ''}.\nNothing was changed. Try again with another card.\n\n— Atrium`,
    html:
      `<p>The payment of <strong>${escapeHtml(amount)}</strong> for ${escapeHtml(p.description)} failed: ${escapeHtml(why)}.</p>` +
      `<p>Nothing was changed. Try again with another card.</p><p>— Atrium</p>`,
    links: [billing],
  };
}

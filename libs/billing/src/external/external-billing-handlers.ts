import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PayloadReader, type ReceivedWebhookEvent, WebhookHandlerRegistry, webhookFields } from '@atrium/platform';
import { readMoney } from './external-money.js';

/** The subscription events a payment service sends; `deleted` and `cancelled` both end the subscription. */
export const EXTERNAL_SUBSCRIPTION_EVENTS = [
  'subscription.created',
  'subscription.updated',
  'subscription.deleted',
  'subscription.cancelled',
];

/**
 * A paid partner invoice as a `payments` row (gateway `external`, type `external_invoice`, `succeeded`): it shows in
 * the billing history (`GET /payments`) like any payment, and applies no purchase. Its transaction id is the provider's
 * id and the invoice id, unique per gateway, so the same invoice is recorded once whatever sends it again.
 */
const RECORD_PAYMENT = `
  INSERT INTO payments (organization_id, gateway, payment_type, status, amount_minor, currency, description, purchase, lines,
                        transaction_id, succeeded_at)
  VALUES ($1, 'external', 'external_invoice', 'succeeded', $2, $3, $4, $5::jsonb, $6::jsonb, $7, now())
  ON CONFLICT (gateway, transaction_id) DO NOTHING`;

const UPSERT_SUBSCRIPTION = `
  INSERT INTO external_subscriptions AS s (organization_id, provider, provider_id, external_id, external_user_id, plan, status,
                                           amount_minor, currency, last_event_type, cancelled_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $7 = 'cancelled' THEN now() END)
  ON CONFLICT (provider_id, external_id) DO UPDATE
     SET external_user_id = coalesce(EXCLUDED.external_user_id, s.external_user_id),
         plan = coalesce(EXCLUDED.plan, s.plan),
         status = EXCLUDED.status,
         amount_minor = coalesce(EXCLUDED.amount_minor, s.amount_minor),
         currency = coalesce(EXCLUDED.currency, s.currency),
         last_event_type = EXCLUDED.last_event_type,
         cancelled_at = CASE WHEN EXCLUDED.status = 'cancelled' THEN coalesce(s.cancelled_at, now()) ELSE NULL END,
         updated_at = now()`;

/**
 * Billing's inbound webhook handlers (registered into the kernel's registry; billing imports no integrations code):
 * `invoice.paid` records an external payment, `subscription.*` an external subscription, both against the
 * organization the webhook was sent to. Payloads at the top level or under `payload`/`data`:
 * invoice `{invoice_id | id (else the event id), user_id?, amount | amount_minor, currency, description?}`,
 * subscription `{subscription_id | id, user_id?, plan?, status?, amount?, currency?}`.
 */
@Injectable()
export class ExternalBillingHandlers implements OnModuleInit {
  constructor(private readonly handlers: WebhookHandlerRegistry) {}

  onModuleInit(): void {
    this.handlers.register('invoice.paid', { handle: (event, em) => this.invoicePaid(event, em) });
    for (const type of EXTERNAL_SUBSCRIPTION_EVENTS) {
      this.handlers.register(type, { handle: (event, em) => this.subscription(event, em) });
    }
  }

  private async invoicePaid(event: ReceivedWebhookEvent, em: EntityManager): Promise<void> {
    const fields = webhookFields(event);
    const reader = new PayloadReader(fields);
    const invoiceId = reader.string(['invoice_id', 'id'], { max: 200 }) ?? event.externalId;
    const userId = reader.string(['user_id', 'customer_id'], { max: 200 });
    const text = reader.string('description', { max: 300 });
    const money = readMoney(fields, reader, true);
    reader.done();
    const { amountMinor, currency } = money!;
    const description = text ?? `Invoice ${invoiceId} paid (${event.providerName})`;
    await em.query(RECORD_PAYMENT, [
      event.organizationId,
      amountMinor,
      currency,
      description,
      JSON.stringify({ kind: 'external', provider: event.providerName, invoiceId, externalUserId: userId, webhookEventId: event.id }),
      JSON.stringify([{ description, quantity: 1, unitMinor: amountMinor, totalMinor: amountMinor }]),
      `${event.providerId}:${invoiceId}`,
    ]);
  }

  private async subscription(event: ReceivedWebhookEvent, em: EntityManager): Promise<void> {
    const fields = webhookFields(event);
    const reader = new PayloadReader(fields);
    const id = reader.string(['subscription_id', 'id'], { required: true, max: 200 });
    const userId = reader.string(['user_id', 'customer_id'], { max: 200 });
    const plan = reader.string('plan', { max: 200 });
    const given = reader.string('status', { max: 50 })?.toLowerCase();
    const money = readMoney(fields, reader, false);
    reader.done();
    const ended = event.type === 'subscription.deleted' || event.type === 'subscription.cancelled';
    const status = ended ? 'cancelled' : (given ?? 'active');
    await em.query(UPSERT_SUBSCRIPTION, [
      event.organizationId,
      event.providerName,
      event.providerId,
      id,
      userId,
      plan,
      status,
      money?.amountMinor ?? null,
      money?.currency ?? null,
      event.type,
    ]);
  }
}

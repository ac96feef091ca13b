import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { acrossTenants, DomainError, isUuid, PreparedQuery, StatementPool, withTenant } from '@atrium/platform';
import { BillingError } from '../billing.errors.js';
import type { GatewayCharge, GatewayEvent, PaymentGateway } from '../gateways/payment-gateway.js';
import { Payment, settleable } from './payment.entity.js';
import { PaymentGateways } from './payment-gateways.js';
import { PaymentSettlement, type SettlementOutcome } from './payment-settlement.js';

/** What a callback did: stored now or already (a redelivery), and what processing it changed. */
export interface WebhookReceipt {
  eventId: string;
  type: string;
  duplicate: boolean;
  outcome: SettlementOutcome | 'ignored' | 'processed_before';
}

/**
 * Gateway callbacks: verify the signature on the raw body, claim the event by its id (`INSERT … ON CONFLICT DO
 * NOTHING`: never check-then-mark), then re-read the charge from the gateway and settle its payment. The payload is
 * stored for the record but never trusted for state.
 *
 * Retries: unknown types, unknown payments and deleted organizations are stored and answered 2xx (the gateway would
 * otherwise retry for days). When processing fails for a passing reason (the gateway unreachable while re-reading,
 * the database), the event stays stored with `processed_at` null and the callback answers 503, so the gateway
 * delivers it again; a redelivery of an unprocessed event is processed again (settlement is idempotent), one of a
 * processed event is answered 2xx at once. `POST /payments/verify` settles the same payment meanwhile.
 */
@Injectable()
export class PaymentWebhooks {
  private readonly logger = new Logger(PaymentWebhooks.name);
  /** Every callback runs it: a prepared statement (parsed and planned once per connection), outside TypeORM's runner. */
  private readonly claim: PreparedQuery<{ processed_at: Date | null; inserted: boolean }>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly gateways: PaymentGateways,
    private readonly settlement: PaymentSettlement,
    statements: StatementPool,
  ) {
    this.claim = new PreparedQuery(statements, 'billing_claim_payment_event', CLAIM_EVENT_SQL);
  }

  /** Verifies with the named gateway (400 `webhook_signature_invalid`, nothing stored) and processes. */
  async receive(gatewayName: string, rawBody: Buffer | undefined, signature: string | undefined): Promise<WebhookReceipt> {
    const gateway = this.gateways.get(gatewayName);
    if (!rawBody?.length) throw BillingError.webhook_signature_invalid('The callback has no body');
    return this.receiveVerified(gateway.name, gateway.verifyEvent(rawBody, signature));
  }

  /**
   * Stores a verified event and processes it unless a delivery before this one already did. The gateway need not be
   * configured (the development Stripe test event): its events then name no payment Atrium has.
   */
  async receiveVerified(gatewayName: string, event: GatewayEvent): Promise<WebhookReceipt> {
    const gateway = this.gateways.find(gatewayName);
    // An event that names no charge has nothing to process: it is stored as processed by the same statement, so the
    // most common callbacks (customer.*, invoice.*, …) cost one round trip.
    const nothingToDo = gateway !== undefined && !event.transactionId;
    const stored = await this.claim.rows([
      gatewayName,
      event.id,
      event.type,
      event.transactionId,
      JSON.stringify(event.raw ?? null),
      nothingToDo ? 'ignored' : null,
    ]);
    const duplicate = !stored[0]?.inserted;
    if (duplicate && stored[0]?.processed_at) return { eventId: event.id, type: event.type, duplicate, outcome: 'processed_before' };
    if (!duplicate && nothingToDo) return { eventId: event.id, type: event.type, duplicate, outcome: 'ignored' };
    const outcome = gateway ? await this.process(gateway, event) : 'unknown_payment';
    await this.dataSource.query(
      `UPDATE payment_events SET processed_at = now(), outcome = $3 WHERE gateway = $1 AND event_id = $2 AND processed_at IS NULL`,
      [gatewayName, event.id, outcome],
    );
    return { eventId: event.id, type: event.type, duplicate, outcome };
  }

  private async process(gateway: PaymentGateway, event: GatewayEvent): Promise<WebhookReceipt['outcome']> {
    if (!event.transactionId) return 'ignored';
    // Across tenants (row-level security): a gateway's callback names its charge, not our organization; the payment
    // found is then settled in its own organization.
    const found = await acrossTenants(() => this.findPayment(gateway, event));
    if (!found) return 'unknown_payment';
    const { payment } = found;
    if (!settleable(payment)) return 'already_final';
    const charge = found.charge ?? (await this.reread(gateway, payment.transactionId ?? event.transactionId));
    if (!charge) return 'unknown_payment';
    return withTenant(payment.organizationId, () => this.settlement.apply(payment.id, charge, `${gateway.name}:${event.id}`));
  }

  /**
   * By the charge id; else by the `payment_id` the signed payload names; else by the charge's metadata at the gateway,
   * in which case the charge just read is answered too (it is the state to apply: no second read).
   */
  private async findPayment(gateway: PaymentGateway, event: GatewayEvent): Promise<{ payment: Payment; charge?: GatewayCharge } | null> {
    const repo = this.dataSource.getRepository(Payment);
    const byTransaction = await repo.findOneBy({ gateway: gateway.name, transactionId: event.transactionId! });
    if (byTransaction) return { payment: byTransaction };
    const hinted = metadataPaymentId(event.raw);
    if (hinted) {
      const p = await repo.findOneBy({ id: hinted, gateway: gateway.name });
      if (p) return { payment: p };
    }
    // Stripe Checkout: the payment holds the session id, the event names its PaymentIntent.
    const charge = await this.reread(gateway, event.transactionId!);
    if (!charge?.paymentId || !isUuid(charge.paymentId)) return null;
    const payment = await repo.findOneBy({ id: charge.paymentId, gateway: gateway.name });
    return payment ? { payment, charge } : null;
  }

  /** The charge at the gateway; null when the gateway says there is no such charge (a 4xx), a throw when unreachable. */
  private async reread(gateway: PaymentGateway, transactionId: string): Promise<GatewayCharge | null> {
    try {
      return await gateway.retrieveCharge(transactionId);
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      const refused = err instanceof DomainError ? err.kind !== 'unavailable' : typeof status === 'number' && status >= 400 && status < 500;
      if (refused) {
        this.logger.warn({ gateway: gateway.name, transactionId, status }, 'Callback names a charge the gateway does not know');
        return null;
      }
      throw BillingError.gateway_unreachable(
        `The ${gateway.name} gateway could not be reached to confirm the charge; the event is kept and retried`,
      );
    }
  }
}

/**
 * Stores the event unless its id is already stored (never check-then-mark) and says which happened, with the row's
 * `processed_at`. `$6`: the outcome of an event stored as processed at once (one that names no charge), else null.
 */
const CLAIM_EVENT_SQL = `WITH ins AS (
    INSERT INTO payment_events (gateway, event_id, type, transaction_id, payload, processed_at, outcome)
    VALUES ($1, $2, $3, $4, $5::jsonb, CASE WHEN $6::text IS NULL THEN NULL ELSE now() END, $6)
    ON CONFLICT (gateway, event_id) DO NOTHING
    RETURNING processed_at, true AS inserted
  )
  SELECT processed_at, true AS inserted FROM ins
  UNION ALL
  SELECT processed_at, false FROM payment_events WHERE gateway = $1 AND event_id = $2 AND NOT EXISTS (SELECT 1 FROM ins)`;

function metadataPaymentId(raw: unknown): string | null {
  const id = (raw as { data?: { object?: { metadata?: { payment_id?: unknown } } } } | null)?.data?.object?.metadata?.payment_id;
  return isUuid(id) ? id : null;
}

import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { Clock, Outbox, RequestContext, returnedRows } from '@atrium/platform';
import type { GatewayCharge } from '../gateways/payment-gateway.js';
import { InvoiceService } from '../invoices/invoice.service.js';
import { Payment } from './payment.entity.js';
import { PurchaseActivator } from './purchase.js';

export const PAYMENT_SUCCEEDED = 'billing.payment_succeeded';
export const PAYMENT_FAILED = 'billing.payment_failed';

/** What applying a gateway's report did (stored as a callback event's outcome). */
export type SettlementOutcome =
  'succeeded' | 'failed' | 'cancelled' | 'still_pending' | 'already_final' | 'charge_mismatch' | 'unknown_payment';

export interface PaymentEventPayload {
  payment_id: string;
  payment_type: string;
  amount_minor: number;
  currency: string;
  description: string;
  created_by: string | null;
  invoice_id?: string;
  invoice_number?: string;
  failure_code?: string | null;
  failure_message?: string | null;
}

/**
 * Applies what the gateway says about a charge to its payment. Every transition is one conditional
 * `UPDATE … WHERE status … RETURNING`: whichever of the callback, a redelivery or a verify gets the row applies the
 * purchase, issues the invoice, writes the audit entry and the outbox event in that one transaction; the others
 * change nothing. `succeeded` and `cancelled` never change again. `failed` can still become `succeeded`: a payer whose
 * card was declined may pay the same Stripe PaymentIntent with another card, and that money must buy what it was for;
 * nothing moves a payment from `succeeded` back.
 */
@Injectable()
export class PaymentSettlement {
  private readonly logger = new Logger(PaymentSettlement.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly activator: PurchaseActivator,
    private readonly invoices: InvoiceService,
    private readonly audit: AuditWriter,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  /** `requestId` ties the audit entry and the event to what caused them (a callback event id, a request). */
  async apply(paymentId: string, charge: GatewayCharge, requestId: string): Promise<SettlementOutcome> {
    const payment = await this.dataSource.getRepository(Payment).findOneBy({ id: paymentId });
    if (!payment) return 'unknown_payment';
    if (charge.status === 'pending') return payment.status === 'pending' ? 'still_pending' : 'already_final';
    if (charge.status !== 'succeeded' && payment.status !== 'pending') return 'already_final';
    if (charge.amountMinor !== payment.amountMinor || charge.currency.toUpperCase() !== payment.currency.toUpperCase()) {
      // A charge that does not match what the payment asked for never pays for it; leave it for a person to look at.
      this.logger.warn({ paymentId, transactionId: charge.transactionId }, 'Gateway charge does not match its payment');
      return 'charge_mismatch';
    }
    const at = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      if (charge.status === 'succeeded') return this.succeed(em, payment, charge, at, requestId);
      return this.fail(em, payment, charge, at, requestId);
    });
  }

  private async succeed(
    em: EntityManager,
    payment: Payment,
    charge: GatewayCharge,
    at: Date,
    requestId: string,
  ): Promise<SettlementOutcome> {
    const claimed = returnedRows<{ id: string }>(
      await em.query(
        `UPDATE payments SET status = 'succeeded', succeeded_at = $2, transaction_id = COALESCE(transaction_id, $3), updated_at = now()
          WHERE id = $1 AND status IN ('pending', 'failed') RETURNING id`,
        [payment.id, at, charge.transactionId],
      ),
    );
    if (!claimed.length) return 'already_final';
    await this.activator.activate(em, payment, at);
    const invoice = await this.invoices.issue(em, {
      organizationId: payment.organizationId,
      paymentId: payment.id,
      currency: payment.currency,
      lines: payment.lines,
      issuedAt: at,
    });
    const ctx = RequestContext.system(requestId, payment.organizationId);
    await this.audit.record(em, ctx, {
      action: 'payment.succeeded',
      resourceType: 'payment',
      resourceId: payment.id,
      target: payment.description,
      actorUserId: null,
      after: { status: 'succeeded', amount_minor: payment.amountMinor, currency: payment.currency, purchase: payment.purchase },
      metadata: { gateway: payment.gateway, transaction_id: charge.transactionId, invoice_number: invoice.number },
    });
    this.outbox.add(em, {
      name: PAYMENT_SUCCEEDED,
      organizationId: payment.organizationId,
      payload: { ...eventPayload(payment), invoice_id: invoice.id, invoice_number: invoice.number } satisfies PaymentEventPayload,
      requestId,
    });
    return 'succeeded';
  }

  private async fail(em: EntityManager, payment: Payment, charge: GatewayCharge, at: Date, requestId: string): Promise<SettlementOutcome> {
    const status = charge.status === 'cancelled' ? 'cancelled' : 'failed';
    const failureCode = charge.failureCode ?? (status === 'cancelled' ? 'cancelled' : 'payment_failed');
    const failureMessage = charge.failureMessage ?? null;
    const claimed = returnedRows<{ id: string }>(
      await em.query(
        `UPDATE payments SET status = $2, failed_at = $3, failure_code = $4, failure_message = $5, updated_at = now()
          WHERE id = $1 AND status = 'pending' RETURNING id`,
        [payment.id, status, at, failureCode, failureMessage],
      ),
    );
    if (!claimed.length) return 'already_final';
    const ctx = RequestContext.system(requestId, payment.organizationId);
    await this.audit.record(em, ctx, {
      action: `payment.${status}`,
      resourceType: 'payment',
      resourceId: payment.id,
      target: payment.description,
      actorUserId: null,
      after: { status, failure_code: failureCode },
      metadata: { gateway: payment.gateway, transaction_id: charge.transactionId },
    });
    // A payer's own cancel is recorded, not announced; a failure tells the billing admins.
    if (status === 'cancelled') return status;
    this.outbox.add(em, {
      name: PAYMENT_FAILED,
      organizationId: payment.organizationId,
      payload: { ...eventPayload(payment), failure_code: failureCode, failure_message: failureMessage } satisfies PaymentEventPayload,
      requestId,
    });
    return status;
  }
}

const eventPayload = (p: Payment): PaymentEventPayload => ({
  payment_id: p.id,
  payment_type: p.paymentType,
  amount_minor: p.amountMinor,
  currency: p.currency,
  description: p.description,
  created_by: p.createdBy,
});

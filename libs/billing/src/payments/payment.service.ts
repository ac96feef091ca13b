import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type FindOptionsWhere } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { Clock, DomainError, type Page, RequestContext, TenantRepository } from '@atrium/platform';
import { BillingError } from '../billing.errors.js';
import type { GatewayCheckout, PaymentGateway } from '../gateways/payment-gateway.js';
import { toMinor } from '../pricing/money.js';
import { QuoteService } from '../plans/quote.service.js';
import { currentPlan } from '../plans/current-plan.js';
import { BillingCustomers } from './billing-customers.js';
import { Payment, settleable } from './payment.entity.js';
import { PaymentGateways } from './payment-gateways.js';
import { PaymentSettlement, type SettlementOutcome } from './payment-settlement.js';
import { type PricedPurchase, PurchasePricer, type PurchaseRequest } from './purchase.js';

/** A payment with what the payer needs to pay it (only right after creation: the client secret is never stored). */
export interface StartedPayment {
  payment: Payment;
  checkout: GatewayCheckout;
}

/** Starting, reading and verifying payments. The amount is always the server's (PurchasePricer). */
@Injectable()
export class PaymentService {
  private readonly payments: TenantRepository<Payment>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly pricer: PurchasePricer,
    private readonly gateways: PaymentGateways,
    private readonly customers: BillingCustomers,
    private readonly quotes: QuoteService,
    private readonly settlement: PaymentSettlement,
    private readonly audit: AuditWriter,
    private readonly clock: Clock,
  ) {
    this.payments = TenantRepository.for(dataSource, Payment, 'Payment');
  }

  /**
   * `POST /payments`: prices the request, refuses a client amount (major units) that differs (400 `amount_mismatch`),
   * then starts the charge at the gateway.
   */
  async create(ctx: RequestContext, gatewayName: string, request: PurchaseRequest, clientAmount?: number): Promise<StartedPayment> {
    const gateway = this.gateways.get(gatewayName);
    const priced = await this.pricer.price(ctx, request);
    if (clientAmount !== undefined) assertAmount(clientAmount, priced);
    return this.start(ctx, gateway, priced);
  }

  /**
   * Records the payment (pending) with its purchase, takes the quote, and asks the gateway for a charge under the
   * idempotency key `payment:<id>` (a retried create never charges twice). Nothing due → 409 `nothing_due`.
   */
  async start(ctx: RequestContext, gatewayOrName: PaymentGateway | string, priced: PricedPurchase): Promise<StartedPayment> {
    const gateway = typeof gatewayOrName === 'string' ? this.gateways.get(gatewayOrName) : gatewayOrName;
    if (priced.amountMinor <= 0) throw BillingError.nothing_due();
    const organizationId = ctx.requireOrganizationId();
    const customerRef = await this.customers.refFor(organizationId, gateway);
    const payment = await this.dataSource.transaction(async (em) => {
      const saved = await this.payments.with(em).create(ctx, pendingPayment(gateway.name, priced, ctx.actingUserId ?? null));
      if (priced.quote) await this.quotes.markUsed(em, priced.quote, { paymentId: saved.id, lock: 'share' });
      await this.audit.record(em, ctx, {
        action: 'payment.created',
        resourceType: 'payment',
        resourceId: saved.id,
        target: saved.description,
        after: { gateway: gateway.name, amount_minor: saved.amountMinor, currency: saved.currency, purchase: saved.purchase },
      });
      return saved;
    });
    let checkout: GatewayCheckout;
    try {
      checkout = await gateway.createCharge({
        paymentId: payment.id,
        organizationId,
        customerRef,
        amountMinor: payment.amountMinor,
        currency: payment.currency,
        description: payment.description,
        idempotencyKey: `payment:${payment.id}`,
      });
    } catch (err) {
      // Nothing was charged: the payment ends failed, with the gateway's refusal when it gave one, and its quote can be used again.
      const failureCode = err instanceof DomainError ? err.code : 'gateway_error';
      await this.dataSource.transaction(async (em) => {
        await em.query(
          `UPDATE payments SET status = 'failed', failed_at = $2, failure_code = $3, updated_at = now() WHERE id = $1 AND status = 'pending'`,
          [payment.id, this.clock.now(), failureCode],
        );
        if (priced.quote) await this.quotes.release(em, priced.quote.id, payment.id);
      });
      throw err;
    }
    payment.transactionId = checkout.transactionId;
    payment.checkoutUrl = checkout.checkoutUrl ?? null;
    await this.payments.save(ctx, payment);
    return { payment, checkout };
  }

  /**
   * Charges the organization's saved payment method without the payer (renewals; callable from a job: no request
   * needed) and applies the result at once. `idempotencyKey` defaults to `payment:<id>`; a job passes one per
   * subscription period so a re-delivered job never charges twice. A decline ends the payment `failed` (no throw); a
   * gateway that cannot be reached throws, with the payment still pending (verify or a retry settles it).
   */
  async chargeSaved(
    organizationId: string,
    priced: PricedPurchase,
    opts: { requestId: string; idempotencyKey?: string },
  ): Promise<{ payment: Payment; outcome: SettlementOutcome }> {
    const ctx = RequestContext.system(opts.requestId, organizationId);
    const { subscription: sub } = await currentPlan(this.dataSource.manager, organizationId);
    if (!sub.paymentMethodGateway || !sub.paymentMethodRef) throw BillingError.payment_method_required();
    const gateway = this.gateways.get(sub.paymentMethodGateway);
    const customerRef = await this.customers.refFor(organizationId, gateway);
    // A charge retried with its idempotency key (a worker that died mid-charge) takes up the payment the first try
    // made, whose id follows from the key: the gateway then answers the charge it already made instead of refusing
    // the key for another payment, and no second pending payment is left behind.
    const id = opts.idempotencyKey ? paymentIdFor(opts.idempotencyKey) : undefined;
    const earlier = id ? await this.payments.findOne(ctx, { id }) : null;
    const payment = earlier ?? (await this.payments.create(ctx, { ...(id ? { id } : {}), ...pendingPayment(gateway.name, priced, null) }));
    const charge = await gateway.chargeOffSession({
      paymentId: payment.id,
      organizationId,
      customerRef,
      paymentMethodRef: sub.paymentMethodRef,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
      description: payment.description,
      idempotencyKey: opts.idempotencyKey ?? `payment:${payment.id}`,
    });
    if (charge.transactionId) {
      payment.transactionId = charge.transactionId;
      await this.payments.save(ctx, payment);
    }
    const outcome = await this.settlement.apply(payment.id, charge, opts.requestId);
    return { payment: await this.payments.getById(ctx, payment.id), outcome };
  }

  async get(ctx: RequestContext, id: string): Promise<Payment> {
    return this.payments.getById(ctx, id);
  }

  async list(ctx: RequestContext, query: { page: number; limit: number; status?: Payment['status'] }): Promise<Page<Payment>> {
    const where: FindOptionsWhere<Payment> = query.status ? { status: query.status } : {};
    return this.payments.findPage(ctx, query, where);
  }

  /**
   * `POST /payments/verify`: asks the gateway for the charge's state now and applies it through the same path as a
   * callback (idempotent: a final payment stays as it is).
   */
  async verify(ctx: RequestContext, paymentId: string, transactionId: string): Promise<{ payment: Payment; outcome: SettlementOutcome }> {
    const payment = await this.payments.getById(ctx, paymentId);
    if (!payment.transactionId || payment.transactionId !== transactionId) {
      throw BillingError.transaction_mismatch(undefined, { field: 'transaction_id' });
    }
    let outcome: SettlementOutcome = 'already_final';
    if (settleable(payment)) {
      const charge = await this.gateways.get(payment.gateway).retrieveCharge(payment.transactionId);
      outcome = await this.settlement.apply(payment.id, charge, ctx.requestId);
    }
    return { payment: await this.payments.getById(ctx, paymentId), outcome };
  }
}

/** The client's `amount` (major units) must be exactly the server's price. */
function assertAmount(clientAmount: number, priced: PricedPurchase): void {
  let minor: number | null;
  try {
    minor = toMinor(clientAmount, priced.currency);
  } catch {
    minor = null;
  }
  if (minor !== priced.amountMinor) {
    throw BillingError.amount_mismatch(
      `amount: the price is ${priced.amountMinor} minor units of ${priced.currency}, not ${clientAmount}`,
      {
        field: 'amount',
        expected_minor: priced.amountMinor,
        currency: priced.currency,
      },
    );
  }
}

/** The payment id an idempotency key stands for: a UUID (version 8 layout) from its SHA-256. */
export function paymentIdFor(idempotencyKey: string): string {
  const h = createHash('sha256').update(`payment:${idempotencyKey}`).digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The pending payment row a priced purchase starts as (checkout or off-session charge). */
function pendingPayment(gateway: PaymentGateway['name'], priced: PricedPurchase, createdBy: string | null): Partial<Payment> {
  return {
    createdBy,
    gateway,
    paymentType: priced.paymentType,
    status: 'pending' as const,
    amountMinor: priced.amountMinor,
    currency: priced.currency,
    description: priced.description,
    purchase: priced.purchase,
    lines: priced.lines,
  };
}

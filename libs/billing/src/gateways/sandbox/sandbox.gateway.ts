import { Injectable } from '@nestjs/common';
import { Clock, notFound } from '@atrium/platform';
import { BillingConfig } from '../../billing.config.js';
import { BillingError } from '../../billing.errors.js';
import { assertMinor, currencyExponent } from '../../pricing/money.js';
import type {
  CreateGatewayChargeInput,
  GatewayCharge,
  GatewayCheckout,
  GatewayCustomerInput,
  GatewayEvent,
  GatewayPaymentMethod,
  OffSessionChargeInput,
  PaymentGateway,
} from '../payment-gateway.js';
import { verifyStripeSignature } from '../stripe/stripe-event.js';
import { chargeOutcome, SANDBOX_CARD_TOKENS } from './sandbox-cards.js';
import { checkoutToken, checkoutTokenHash } from './sandbox-checkout-token.js';
import type { SandboxCharge, SandboxEventPayload } from './sandbox-event.js';
import { type NewSandboxCharge, sandboxId, SandboxLedger } from './sandbox-ledger.js';

/** The path of the checkout page under the public URL (the api's global prefix included). */
export const SANDBOX_CHECKOUT_PATH = '/api/v1/sandbox/checkout';

const toGatewayCharge = (c: SandboxCharge): GatewayCharge => ({
  transactionId: c.id,
  status: c.status,
  amountMinor: c.amountMinor,
  currency: c.currency,
  paymentId: c.paymentId,
  failureCode: c.failureCode,
  failureMessage: c.failureMessage,
});

/** Amounts come from Atrium's pricing: anything else here is a programming error (RangeError), not a payer's. */
function checkMoney(input: CreateGatewayChargeInput): string {
  assertMinor(input.amountMinor);
  if (input.amountMinor <= 0) throw new RangeError(`A sandbox charge needs a positive amount, not ${input.amountMinor}`);
  const currency = input.currency.toUpperCase();
  currencyExponent(currency);
  return currency;
}

function checkReturnUrl(url: string | undefined): string | null {
  if (url === undefined) return null;
  const parsed = URL.parse(url);
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) throw BillingError.return_url_invalid();
  return parsed.href;
}

function isSandboxEvent(value: unknown): value is SandboxEventPayload {
  const e = value as Partial<SandboxEventPayload> | null;
  return (
    typeof e?.id === 'string' &&
    e.id.startsWith('evt_sbx_') &&
    typeof e.type === 'string' &&
    Number.isSafeInteger(e.created) &&
    typeof e.data?.object?.id === 'string'
  );
}

/**
 * Atrium's built-in stand-in for a payment gateway (the default; needs no keys). It keeps its own records, is the
 * only one that knows a charge's truth, and announces every final outcome with a signed callback (Stripe's
 * signature scheme, with the sandbox secret) through the queue, retried until answered 2xx.
 */
@Injectable()
export class SandboxGateway implements PaymentGateway {
  readonly name = 'sandbox' as const;

  constructor(
    private readonly config: BillingConfig,
    private readonly ledger: SandboxLedger,
    private readonly clock: Clock,
  ) {}

  async createCustomer(input: GatewayCustomerInput): Promise<string> {
    this.secret();
    return this.ledger.upsertCustomer(input, this.clock.now());
  }

  async createCharge(input: CreateGatewayChargeInput): Promise<GatewayCheckout> {
    const secret = this.secret();
    const currency = checkMoney(input);
    const returnUrl = checkReturnUrl(input.returnUrl);
    await this.requireCustomer(input.customerRef);
    const id = sandboxId('sbx_ch_');
    const charge = await this.chargeOnce(input, {
      ...this.newCharge(id, input, currency),
      status: 'pending',
      returnUrl,
      offSession: false,
      checkoutTokenHash: checkoutTokenHash(checkoutToken(secret, id)),
    });
    return {
      transactionId: charge.id,
      checkoutUrl: `${this.config.publicUrl}${SANDBOX_CHECKOUT_PATH}/${checkoutToken(secret, charge.id)}`,
    };
  }

  async retrieveCharge(transactionId: string): Promise<GatewayCharge> {
    this.secret();
    const charge = await this.ledger.charge(transactionId);
    if (!charge) throw notFound('Sandbox charge');
    return toGatewayCharge(charge);
  }

  async attachPaymentMethod(customerRef: string, token: string): Promise<GatewayPaymentMethod> {
    this.secret();
    const card = Object.hasOwn(SANDBOX_CARD_TOKENS, token) ? SANDBOX_CARD_TOKENS[token] : undefined;
    if (!card) {
      const shown = token.length > 64 ? `${token.slice(0, 64)}…` : token;
      throw BillingError.payment_method_invalid(
        `Unknown sandbox card token "${shown}": use tok_visa, tok_chargeDeclined or tok_chargeDeclinedInsufficientFunds`,
      );
    }
    await this.requireCustomer(customerRef);
    const ref = await this.ledger.addPaymentMethod(customerRef, card, this.clock.now());
    return { ref, brand: card.brand, last4: card.last4 };
  }

  async chargeOffSession(input: OffSessionChargeInput): Promise<GatewayCharge> {
    this.secret();
    const currency = checkMoney(input);
    await this.requireCustomer(input.customerRef);
    const method = await this.ledger.paymentMethod(input.paymentMethodRef, input.customerRef);
    if (!method) throw notFound('Sandbox payment method');
    const charge = await this.chargeOnce(input, {
      ...this.newCharge(sandboxId('sbx_ch_'), input, currency),
      ...chargeOutcome(method.behaviour),
      returnUrl: null,
      offSession: true,
      paymentMethodId: input.paymentMethodRef,
      checkoutTokenHash: null,
    });
    return toGatewayCharge(charge);
  }

  /** Sandbox callbacks are signed like Stripe's (`signSandboxPayload`), so they are verified by the same code. */
  verifyEvent(rawBody: Buffer, signatureHeader: string | undefined): GatewayEvent {
    const event = verifyStripeSignature(rawBody, signatureHeader, this.secret(), this.clock.now());
    if (!isSandboxEvent(event)) throw BillingError.webhook_signature_invalid();
    return { id: event.id, type: event.type, transactionId: event.data.object.id, createdAt: new Date(event.created * 1000), raw: event };
  }

  /** The sandbox secret; throws when the sandbox is not offered (production without SANDBOX_PAYMENTS=true). */
  private secret(): string {
    if (!this.config.sandbox) throw BillingError.gateway_unavailable('The sandbox payment gateway is not available here');
    return this.config.sandbox.webhookSecret;
  }

  private async requireCustomer(customerRef: string): Promise<void> {
    if (!(await this.ledger.customerExists(customerRef))) throw notFound('Sandbox customer');
  }

  private newCharge(id: string, input: CreateGatewayChargeInput, currency: string) {
    return {
      id,
      customerId: input.customerRef,
      paymentId: input.paymentId,
      organizationId: input.organizationId,
      amountMinor: input.amountMinor,
      currency,
      description: input.description,
      failureCode: null,
      failureMessage: null,
      paymentMethodId: null,
      idempotencyKey: input.idempotencyKey,
      createdAt: this.clock.now(),
    };
  }

  /** Writes the charge, or answers the one its idempotency key already made (the same request only, as Stripe does). */
  private async chargeOnce(input: CreateGatewayChargeInput, charge: NewSandboxCharge): Promise<SandboxCharge> {
    const created = await this.ledger.insertCharge(charge);
    if (created) return created;
    const earlier = await this.ledger.chargeByKey(input.idempotencyKey);
    if (
      !earlier ||
      earlier.paymentId !== charge.paymentId ||
      earlier.organizationId !== charge.organizationId ||
      earlier.customerId !== charge.customerId ||
      earlier.amountMinor !== charge.amountMinor ||
      earlier.currency !== charge.currency ||
      earlier.offSession !== charge.offSession
    ) {
      throw BillingError.idempotency_key_reused();
    }
    return earlier;
  }
}

import Stripe from 'stripe';
import { type Clock, notFound } from '@atrium/platform';
import type { BillingConfig } from '../../billing.config.js';
import { BillingError } from '../../billing.errors.js';
import type {
  CreateGatewayChargeInput,
  GatewayCharge,
  GatewayChargeStatus,
  GatewayCheckout,
  GatewayCustomerInput,
  GatewayEvent,
  GatewayPaymentMethod,
  OffSessionChargeInput,
  PaymentGateway,
} from '../payment-gateway.js';
import { createStripeClient } from './stripe-client.js';
import { verifyStripeEvent } from './stripe-event.js';

const { StripeAPIError, StripeCardError, StripeConnectionError, StripeIdempotencyError, StripeInvalidRequestError, StripeRateLimitError } =
  Stripe.errors;

/**
 * The Stripe gateway, through the official SDK only: a Customer per organization, PaymentIntents (on-session with
 * Stripe.js, or a Checkout Session with STRIPE_CHECKOUT=true; off-session for renewals), PaymentMethods attached for
 * auto-renewal. Built when `BillingConfig.stripe` is set: `new StripeGateway(config, clock)`.
 */
export class StripeGateway implements PaymentGateway {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;
  private readonly checkout: boolean;

  constructor(
    private readonly config: BillingConfig,
    private readonly clock: Clock,
  ) {
    if (!config.stripe) throw new Error('StripeGateway needs BillingConfig.stripe (STRIPE_SECRET_KEY is not set)');
    this.stripe = createStripeClient(config.stripe);
    this.checkout = config.stripe.checkout;
  }

  async createCustomer(input: GatewayCustomerInput): Promise<string> {
    const customer = await this.call(() =>
      this.stripe.customers.create(
        { name: input.name, ...(input.email ? { email: input.email } : {}), metadata: { organization_id: input.organizationId } },
        { idempotencyKey: `customer:${input.organizationId}` },
      ),
    );
    return customer.id;
  }

  async createCharge(input: CreateGatewayChargeInput): Promise<GatewayCheckout> {
    if (this.checkout) return this.createCheckoutSession(input);
    const intent = await this.call(() =>
      this.stripe.paymentIntents.create(
        {
          amount: input.amountMinor,
          currency: input.currency.toLowerCase(),
          customer: input.customerRef,
          description: input.description,
          metadata: chargeMetadata(input),
          automatic_payment_methods: { enabled: true },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    if (!intent.client_secret) throw new Error(`Stripe answered PaymentIntent ${intent.id} without a client_secret`);
    return { transactionId: intent.id, clientSecret: intent.client_secret };
  }

  /** A PaymentIntent (`pi_…`), or a Checkout Session (`cs_…`) read through its PaymentIntent; answers under the id asked for. */
  async retrieveCharge(transactionId: string): Promise<GatewayCharge> {
    if (/^pi_\w+$/.test(transactionId)) return toCharge(await this.retrieve(() => this.stripe.paymentIntents.retrieve(transactionId)));
    if (!/^cs_\w+$/.test(transactionId)) throw notFound('Gateway transaction');
    const session = await this.retrieve(() => this.stripe.checkout.sessions.retrieve(transactionId));
    const intentId = refOf(session.payment_intent);
    if (intentId) {
      return { ...toCharge(await this.retrieve(() => this.stripe.paymentIntents.retrieve(intentId))), transactionId };
    }
    return {
      transactionId,
      status: session.status === 'expired' ? 'cancelled' : 'pending',
      amountMinor: session.amount_total ?? 0,
      currency: (session.currency ?? '').toUpperCase(),
      paymentId: session.metadata?.payment_id ?? null,
    };
  }

  /** A PaymentMethod id (`pm_…`) or a card token (`tok_…`, turned into a PaymentMethod), made the customer's default. */
  async attachPaymentMethod(customerRef: string, token: string): Promise<GatewayPaymentMethod> {
    if (!/^(pm|tok)_\w+$/.test(token)) throw BillingError.payment_method_invalid();
    try {
      const methodId = token.startsWith('tok_')
        ? (
            await this.stripe.paymentMethods.create(
              { type: 'card', card: { token } },
              { idempotencyKey: `payment-method:${customerRef}:${token}` },
            )
          ).id
        : token;
      const method = await this.stripe.paymentMethods.attach(methodId, { customer: customerRef });
      await this.stripe.customers.update(customerRef, { invoice_settings: { default_payment_method: method.id } });
      return { ref: method.id, brand: method.card?.brand ?? null, last4: method.card?.last4 ?? null };
    } catch (err) {
      if (err instanceof StripeCardError) {
        throw BillingError.payment_method_declined(err.message || undefined, { decline_code: err.decline_code || err.code || null });
      }
      if (err instanceof StripeInvalidRequestError) throw BillingError.payment_method_invalid(undefined, { code: err.code ?? null });
      throw translate(err);
    }
  }

  /** A decline (or a saved method Stripe no longer accepts) is a `failed` charge; an outage throws so the job retries. */
  async chargeOffSession(input: OffSessionChargeInput): Promise<GatewayCharge> {
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: input.amountMinor,
          currency: input.currency.toLowerCase(),
          customer: input.customerRef,
          description: input.description,
          metadata: chargeMetadata(input),
          payment_method: input.paymentMethodRef,
          off_session: true,
          confirm: true,
          // Nobody is there to follow a redirect: only methods that confirm server-side.
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return toCharge(intent);
    } catch (err) {
      const declined = err instanceof StripeCardError || (err instanceof StripeInvalidRequestError && err.param === 'payment_method');
      if (!declined) throw translate(err);
      const intent = err.payment_intent;
      return {
        transactionId: intent?.id ?? '',
        status: 'failed',
        amountMinor: intent?.amount ?? input.amountMinor,
        currency: (intent?.currency ?? input.currency).toUpperCase(),
        paymentId: input.paymentId,
        failureCode: err.decline_code || err.code || 'card_declined',
        failureMessage: err.message || null,
      };
    }
  }

  verifyEvent(rawBody: Buffer, signatureHeader: string | undefined): GatewayEvent {
    return verifyStripeEvent(rawBody, signatureHeader, this.config.stripeWebhookSecret, this.clock.now());
  }

  private async createCheckoutSession(input: CreateGatewayChargeInput): Promise<GatewayCheckout> {
    const metadata = chargeMetadata(input);
    // The SPA's payment page; it passes transaction_id to POST /payments/verify. Stripe fills in {CHECKOUT_SESSION_ID}.
    const back = `${this.config.publicUrl}/billing/payments/${encodeURIComponent(input.paymentId)}`;
    const session = await this.call(() =>
      this.stripe.checkout.sessions.create(
        {
          mode: 'payment',
          customer: input.customerRef,
          client_reference_id: input.paymentId,
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: input.currency.toLowerCase(),
                unit_amount: input.amountMinor,
                product_data: { name: input.description },
              },
            },
          ],
          success_url: `${back}?checkout=success&transaction_id={CHECKOUT_SESSION_ID}`,
          cancel_url: `${back}?checkout=cancelled&transaction_id={CHECKOUT_SESSION_ID}`,
          metadata,
          payment_intent_data: { description: input.description, metadata },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    if (!session.url) throw new Error(`Stripe answered Checkout Session ${session.id} without a url`);
    return { transactionId: session.id, checkoutUrl: session.url };
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw translate(err);
    }
  }

  /** A read of an object by id: Stripe's 404 is ours. */
  private async retrieve<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      if (err instanceof StripeInvalidRequestError && err.statusCode === 404) throw notFound('Gateway transaction');
      throw translate(err);
    }
  }
}

/**
 * Stripe's outages and rate limits become a 503 (no Stripe detail in the body), a key reused with other parameters a
 * 409, an amount under Stripe's minimum charge a 422; anything else (a wrong secret key, a bug) is thrown as is.
 */
function translate(err: unknown): unknown {
  if (err instanceof StripeConnectionError || err instanceof StripeAPIError || err instanceof StripeRateLimitError) {
    return BillingError.gateway_unreachable();
  }
  if (err instanceof StripeIdempotencyError) return BillingError.idempotency_key_reused();
  if (err instanceof StripeInvalidRequestError && err.code === 'amount_too_small') return BillingError.amount_below_gateway_minimum();
  return err;
}

function chargeMetadata(input: CreateGatewayChargeInput): Record<string, string> {
  return { payment_id: input.paymentId, organization_id: input.organizationId };
}

function refOf(value: string | { id: string } | null): string | null {
  return typeof value === 'string' ? value : (value?.id ?? null);
}

function toCharge(intent: Stripe.PaymentIntent): GatewayCharge {
  const status = statusOf(intent);
  const error = intent.last_payment_error;
  return {
    transactionId: intent.id,
    status,
    amountMinor: intent.amount,
    currency: intent.currency.toUpperCase(),
    paymentId: intent.metadata?.payment_id ?? null,
    ...(status === 'failed' ? { failureCode: error?.decline_code || error?.code || null, failureMessage: error?.message ?? null } : {}),
  };
}

/** requires_payment_method after an attempt is a failure (the payer may still retry on the same intent). */
function statusOf(intent: Stripe.PaymentIntent): GatewayChargeStatus {
  switch (intent.status) {
    case 'succeeded':
      return 'succeeded';
    case 'canceled':
      return 'cancelled';
    case 'requires_payment_method':
      return intent.last_payment_error ? 'failed' : 'pending';
    case 'requires_confirmation':
    case 'requires_action':
    case 'processing':
    case 'requires_capture':
      return 'pending';
    default:
      // A status newer than the pinned API version: not final until Stripe says succeeded or canceled.
      return 'pending';
  }
}

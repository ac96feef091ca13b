/**
 * The seam between billing and a payment gateway (the built-in sandbox, Stripe). Billing never trusts a callback's
 * payload: it verifies the signature, stores the event, then asks the gateway for the object's current state.
 * Atrium stores the gateway's references only (customer, payment method, transaction ids), never card data.
 */
export type GatewayName = 'sandbox' | 'stripe';

/** Where a charge stands at the gateway. `pending` covers every not-yet-final state (requires action, processing). */
export type GatewayChargeStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled';

export interface GatewayCustomerInput {
  organizationId: string;
  name: string;
  email?: string | null;
}

export interface CreateGatewayChargeInput {
  /** Atrium's payment id; sent as metadata `payment_id` so callbacks lead back to it. */
  paymentId: string;
  organizationId: string;
  customerRef: string;
  amountMinor: number;
  currency: string;
  description: string;
  /** Sent to the gateway so a retried create never charges twice (Atrium uses `payment:<paymentId>`). */
  idempotencyKey: string;
  /** Where the checkout page links back to once the payer is done (absolute http(s) URL); optional. */
  returnUrl?: string;
}

/** What the SPA needs to pay an on-session charge. */
export interface GatewayCheckout {
  /** The gateway's id for this charge (Stripe: the PaymentIntent id, or the Checkout Session id). */
  transactionId: string;
  /** Sandbox, and Stripe with STRIPE_CHECKOUT=true: the page to send the payer to. */
  checkoutUrl?: string;
  /** Stripe PaymentIntents: what Stripe.js confirms the payment with. */
  clientSecret?: string;
}

/** A charge as the gateway reports it now. */
export interface GatewayCharge {
  transactionId: string;
  status: GatewayChargeStatus;
  amountMinor: number;
  currency: string;
  /** `metadata.payment_id` of the charge, when Atrium created it. */
  paymentId: string | null;
  /** Gateway decline code (`card_declined`, `insufficient_funds`, …) when failed. */
  failureCode?: string | null;
  failureMessage?: string | null;
}

export interface OffSessionChargeInput extends CreateGatewayChargeInput {
  paymentMethodRef: string;
}

/** A saved payment method, as the gateway describes it (for display only). */
export interface GatewayPaymentMethod {
  ref: string;
  brand: string | null;
  last4: string | null;
}

/** A verified callback event: only its identity and the object it names are used; the state is re-read. */
export interface GatewayEvent {
  id: string;
  type: string;
  /** The charge the event is about (PaymentIntent / sandbox charge id), when it names one. */
  transactionId: string | null;
  createdAt: Date;
  /** The verified payload, stored for the record (it holds no card data). */
  raw: unknown;
}

export interface PaymentGateway {
  readonly name: GatewayName;
  /** The gateway's customer for an organization (created once; the caller stores the ref). */
  createCustomer(input: GatewayCustomerInput): Promise<string>;
  /** Starts an on-session charge; the payer completes it on the checkout page or with Stripe.js. */
  createCharge(input: CreateGatewayChargeInput): Promise<GatewayCheckout>;
  /** The charge's current state at the gateway (the truth a callback or a verify applies). */
  retrieveCharge(transactionId: string): Promise<GatewayCharge>;
  /** Attaches a payment method / card token to the customer for off-session renewals. */
  attachPaymentMethod(customerRef: string, token: string): Promise<GatewayPaymentMethod>;
  /** Charges a saved method without the payer (renewals); a decline resolves to a `failed` charge, not a throw. */
  chargeOffSession(input: OffSessionChargeInput): Promise<GatewayCharge>;
  /**
   * Verifies a callback on its raw body (signature, constant-time compare, 300 s tolerance both ways) and parses it.
   * Throws `BillingError.webhook_signature_invalid` (400) when it does not verify.
   */
  verifyEvent(rawBody: Buffer, signatureHeader: string | undefined): GatewayEvent;
}

/** Nest injection token for the list of configured gateways (sandbox always; Stripe when STRIPE_SECRET_KEY is set). */
export const PAYMENT_GATEWAYS = Symbol('PAYMENT_GATEWAYS');

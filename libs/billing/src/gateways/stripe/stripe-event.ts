import Stripe from 'stripe';
import { BillingError } from '../../billing.errors.js';
import type { GatewayEvent } from '../payment-gateway.js';

/** Seconds a signed callback may be older, or newer (clock skew), than now. */
export const STRIPE_SIGNATURE_TOLERANCE_S = 300;

/**
 * Verifies a `Stripe-Signature` header (`t=<unix>,v1=<hex hmac>`) on the raw body with the SDK's constant-time
 * `constructEvent`, and parses the event. The SDK only refuses an old `t`; this also refuses a `t` too far in the
 * future, a repeated `t`, a header over 2 KiB, and a header without `v1` (a v0-only header). Every failure is the same 400, which never
 * repeats the header or says which check failed.
 */
export function verifyStripeSignature(rawBody: Buffer, header: string | undefined, secret: string, now: Date): unknown {
  if (!header || header.length > 2048 || !secret || rawBody.length === 0) throw BillingError.webhook_signature_invalid();
  const fields = header.split(',').map((item) => item.split('=', 2));
  const timestamps = fields.filter(([k]) => k === 't').map(([, v]) => v ?? '');
  if (timestamps.length !== 1 || !/^\d{1,12}$/.test(timestamps[0])) throw BillingError.webhook_signature_invalid();
  if (!fields.some(([k, v]) => k === 'v1' && v)) throw BillingError.webhook_signature_invalid();
  if (Number(timestamps[0]) - Math.floor(now.getTime() / 1000) > STRIPE_SIGNATURE_TOLERANCE_S) {
    throw BillingError.webhook_signature_invalid();
  }
  try {
    return Stripe.webhooks.constructEvent(rawBody, header, secret, STRIPE_SIGNATURE_TOLERANCE_S, undefined, now.getTime());
  } catch {
    throw BillingError.webhook_signature_invalid();
  }
}

/**
 * A Stripe callback, verified and mapped: what `StripeGateway.verifyEvent` answers. Usable without a Stripe client
 * (the development test-event route, where no STRIPE_SECRET_KEY is set).
 */
export function verifyStripeEvent(rawBody: Buffer, header: string | undefined, secret: string, now: Date): GatewayEvent {
  return toGatewayEvent(verifyStripeSignature(rawBody, header, secret, now));
}

/** A verified Stripe event as billing sees it: its identity and the charge it names (the state is re-read). */
export function toGatewayEvent(event: unknown): GatewayEvent {
  const e = event as { id?: unknown; type?: unknown; created?: unknown; data?: { object?: unknown } } | null;
  const object = e?.data?.object;
  if (typeof e?.id !== 'string' || typeof e.type !== 'string' || typeof e.created !== 'number' || !isRecord(object)) {
    throw BillingError.webhook_signature_invalid();
  }
  return {
    id: e.id,
    type: e.type,
    transactionId: transactionIdOf(object),
    createdAt: new Date(e.created * 1000),
    raw: withoutClientSecrets(event),
  };
}

/** The PaymentIntent an event's object belongs to; a Checkout Session without one yet is named by its own id. */
function transactionIdOf(object: Record<string, unknown>): string | null {
  const ref = (v: unknown) => (typeof v === 'string' ? v : isRecord(v) && typeof v.id === 'string' ? v.id : null);
  switch (object.object) {
    case 'payment_intent':
      return ref(object.id);
    case 'charge':
      return ref(object.payment_intent);
    case 'checkout.session':
      return ref(object.payment_intent) ?? ref(object.id);
    default:
      return null;
  }
}

/** A payment_intent in an event carries its `client_secret`: it is dropped before the payload is stored. */
function withoutClientSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutClientSecrets);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== 'client_secret')
      .map(([k, v]) => [k, withoutClientSecrets(v)]),
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

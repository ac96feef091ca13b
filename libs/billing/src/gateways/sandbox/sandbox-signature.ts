import { createHmac } from 'node:crypto';
import Stripe from 'stripe';

/** How far a callback's `t` may be from now, either way, in seconds (Stripe's default tolerance). */
export const SANDBOX_SIGNATURE_TOLERANCE_S = 300;

/**
 * Signs a callback body the way Stripe does, so a receiver verifies both gateways alike:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
 */
export function signSandboxPayload(payload: string, secret: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${payload}`).digest('hex')}`;
}

/**
 * The verified event JSON of a callback, or null when it does not verify: no header, no `v1` signature (a v0-only
 * header), a `t` that is not a whole number or lies more than the tolerance in the future, or what the stripe SDK's
 * `constructEvent` refuses (a signature that does not match the raw body with this secret, compared in constant
 * time; a `t` older than the tolerance). `now` is the receiver's clock.
 */
export function verifySandboxSignature(rawBody: Buffer, header: string | undefined, secret: string, now: Date): unknown {
  if (!header || header.length > 2048 || !secret) return null;
  const pairs = header.split(',').map((part) => part.trim().split('='));
  const timestamps = pairs.filter(([key]) => key === 't').map(([, value]) => value);
  if (timestamps.length !== 1 || !/^\d{1,12}$/.test(timestamps[0] ?? '')) return null;
  if (!pairs.some(([key, value]) => key === 'v1' && Boolean(value))) return null;
  // The SDK only refuses old timestamps: one from the future would stay valid for longer than the tolerance.
  if (Number(timestamps[0]) > Math.floor(now.getTime() / 1000) + SANDBOX_SIGNATURE_TOLERANCE_S) return null;
  try {
    return Stripe.webhooks.constructEvent(rawBody, header, secret, SANDBOX_SIGNATURE_TOLERANCE_S, undefined, now.getTime());
  } catch {
    return null;
  }
}

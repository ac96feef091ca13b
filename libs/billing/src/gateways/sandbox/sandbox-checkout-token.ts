import { createHash, createHmac } from 'node:crypto';

/** What a checkout page token looks like: 32 bytes, base64url. */
export const CHECKOUT_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The checkout page token of a charge, derived from the charge id with the sandbox secret: a retried create (same
 * idempotency key) answers the same URL although only the token's hash is stored.
 */
export function checkoutToken(secret: string, chargeId: string): string {
  return createHmac('sha256', secret).update(`sandbox-checkout:${chargeId}`).digest('base64url');
}

/** What the database keeps of a token: its SHA-256, so a read of the table opens no checkout page. */
export function checkoutTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

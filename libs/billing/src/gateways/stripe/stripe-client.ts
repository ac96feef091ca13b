import Stripe from 'stripe';

/**
 * The API version Atrium is written against: the one stripe 23 ships with. Pinned so a Dashboard default change
 * cannot alter response shapes under us; an SDK upgrade that moves it fails the type-check here on purpose.
 */
export const STRIPE_API_VERSION: Stripe.LatestApiVersion = '2026-10-28.endive';

/**
 * Two retries (the SDK's backoff: about 0.5 s then 1 s). Every POST carries an idempotency key (ours, or the SDK's),
 * and a retry sends the same key, so a create whose response was lost is replayed by Stripe, never executed twice.
 */
export const STRIPE_MAX_NETWORK_RETRIES = 2;

/** Per attempt. A confirm talks to the card network and can take seconds; three attempts stay near a minute. */
export const STRIPE_TIMEOUT_MS = 20_000;

/** The settings of a Stripe client: the secret key and, for tests, where the API answers (a local fake). */
export interface StripeClientSettings {
  secretKey: string;
  apiUrl?: string;
}

/** A Stripe SDK client with Atrium's pinned version, retries and timeout. */
export function createStripeClient(settings: StripeClientSettings): Stripe {
  return new Stripe(settings.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: STRIPE_MAX_NETWORK_RETRIES,
    timeout: STRIPE_TIMEOUT_MS,
    appInfo: { name: 'Atrium' },
    ...(settings.apiUrl ? endpointOf(settings.apiUrl) : {}),
  });
}

function endpointOf(apiUrl: string): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

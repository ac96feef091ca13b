import { hmacSha256Scheme } from './hmac-sha256.scheme.js';
import type { SignatureScheme, SignatureSchemeName } from './signature-scheme.js';
import { standardWebhooksScheme } from './standard-webhooks.scheme.js';
import { stripeScheme } from './stripe.scheme.js';

/** Every scheme by name. */
export const SCHEMES: Readonly<Record<SignatureSchemeName, SignatureScheme>> = {
  'hmac-sha256': hmacSha256Scheme,
  'standard-webhooks': standardWebhooksScheme,
  stripe: stripeScheme,
};

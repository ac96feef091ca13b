import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { headerOf, secretLengthProblems, type SignatureScheme, type SignedRequest, TIMESTAMP_TOLERANCE_S } from './signature-scheme.js';
import { timelySeconds } from './standard-webhooks.scheme.js';

const HEADER = 'stripe-signature';

/** The header's fields; a header too long to be Stripe's is none. */
function fields(header: string): Array<[string, string]> {
  if (header.length > 2048) return [];
  return header.split(',').map((item) => {
    const at = item.indexOf('=');
    return at < 0 ? [item.trim(), ''] : [item.slice(0, at).trim(), item.slice(at + 1).trim()];
  });
}

/**
 * `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, verified by the Stripe SDK's `constructEvent`
 * (constant-time). The SDK refuses only an old `t`: a `t` more than 5 minutes ahead is refused here first, and so is
 * a header with no or several `t`. The event id is the body's `id` (`evt_…`).
 */
export const stripeScheme: SignatureScheme = {
  name: 'stripe',
  requiredHeaders: [HEADER],
  timestampOk(req: SignedRequest): boolean {
    const t = fields(headerOf(req, HEADER)!).filter(([k]) => k === 't');
    return t.length === 1 && timelySeconds(t[0][1], req.nowMs);
  },
  verifies(req, secret): boolean {
    const header = headerOf(req, HEADER)!;
    if (!fields(header).some(([k, v]) => k === 'v1' && v)) return false;
    try {
      Stripe.webhooks.constructEvent(req.body, header, secret.value, TIMESTAMP_TOLERANCE_S, undefined, req.nowMs);
      return true;
    } catch {
      return false;
    }
  },
  eventId(_req, body): string | undefined {
    const id = (body as { id?: unknown } | undefined)?.id;
    return typeof id === 'string' && id ? id : undefined;
  },
  newSecret: () => `whsec_${randomBytes(24).toString('base64url')}`,
  secretProblems: secretLengthProblems,
  sign: (body, secret, at) => ({
    'Stripe-Signature': Stripe.webhooks.generateTestHeaderString({
      payload: Buffer.isBuffer(body) ? body.toString('utf8') : body,
      secret,
      timestamp: Math.floor(at.getTime() / 1000),
    }),
  }),
};

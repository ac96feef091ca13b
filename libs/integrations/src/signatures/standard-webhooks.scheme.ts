import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { headerOf, type SignatureScheme, type SignedRequest, type SigningSecret, TIMESTAMP_TOLERANCE_S } from './signature-scheme.js';

const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The `webhook-timestamp` header, when it is whole seconds within the tolerance of now (either way). */
export function timelySeconds(value: string | undefined, nowMs: number): boolean {
  if (!value || !/^\d{1,12}$/.test(value)) return false;
  return Math.abs(Math.floor(nowMs / 1000) - Number(value)) <= TIMESTAMP_TOLERANCE_S;
}

/**
 * Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp` (unix seconds, 5 minutes either way) and
 * `webhook-signature` (space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`), the secret `whsec_<base64>`.
 * Signed by the `standardwebhooks` package; the comparison (constant-time) is property-tested against its `verify`.
 */
export const standardWebhooksScheme: SignatureScheme = {
  name: 'standard-webhooks',
  requiredHeaders: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  timestampOk: (req: SignedRequest) => timelySeconds(headerOf(req, 'webhook-timestamp'), req.nowMs),
  verifies(req: SignedRequest, secret: SigningSecret): boolean {
    // The package signs (its `verify` would also check the timestamp against its own clock, not the request's time):
    // the header's v1 entries are compared with that here, in constant time.
    const timestamp = new Date(Number(headerOf(req, 'webhook-timestamp')) * 1000);
    const signed = secret.memo('standard-webhooks', (s) => new Webhook(s)).sign(headerOf(req, 'webhook-id')!, timestamp, req.body);
    const expected = Buffer.from(signed.slice(signed.indexOf(',') + 1));
    let verified = false;
    for (const entry of headerOf(req, 'webhook-signature')!.split(' ')) {
      const comma = entry.indexOf(',');
      if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
      const given = Buffer.from(entry.slice(comma + 1));
      verified = (given.length === expected.length && timingSafeEqual(given, expected)) || verified;
    }
    return verified;
  },
  eventId: (req) => headerOf(req, 'webhook-id'),
  newSecret: () => `${PREFIX}${randomBytes(32).toString('base64')}`,
  secretProblems(secret: string): string[] {
    const key = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : '';
    const bytes = BASE64.test(key) ? Buffer.from(key, 'base64').length : 0;
    return bytes >= 24 && bytes <= 64 ? [] : ['secret must be whsec_ followed by 24 to 64 bytes in base64 (standard-webhooks)'];
  },
  sign(body, secret, at, eventId = `msg_${randomUUID()}`) {
    return {
      'webhook-id': eventId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(eventId, at, Buffer.isBuffer(body) ? body : Buffer.from(body)),
    };
  },
};

import { randomBytes, randomUUID } from 'node:crypto';
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
 * Verified by the `standardwebhooks` package (constant-time comparison).
 */
export const standardWebhooksScheme: SignatureScheme = {
  name: 'standard-webhooks',
  requiredHeaders: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  timestampOk: (req: SignedRequest) => timelySeconds(headerOf(req, 'webhook-timestamp'), req.nowMs),
  verifies(req: SignedRequest, secret: SigningSecret): boolean {
    const webhook = secret.memo('standard-webhooks', (s) => new Webhook(s));
    try {
      webhook.verify(
        req.body,
        {
          'webhook-id': headerOf(req, 'webhook-id')!,
          'webhook-timestamp': headerOf(req, 'webhook-timestamp')!,
          'webhook-signature': headerOf(req, 'webhook-signature')!,
        },
        { jsonParse: false },
      );
      return true;
    } catch {
      return false;
    }
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

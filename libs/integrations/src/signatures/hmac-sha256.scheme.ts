import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { headerOf, secretLengthProblems, type SignatureScheme, type SignedRequest, type SigningSecret } from './signature-scheme.js';

const HEADER = 'x-signature';
const HEX_SIGNATURE = /^(?:sha256=)?([0-9a-f]{64})$/i;

/**
 * `X-Signature: <hex>` or `X-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body under the secret's UTF-8 bytes
 * (as the partner documents sign). No timestamp: replays are caught by the event-id dedupe.
 */
export const hmacSha256Scheme: SignatureScheme = {
  name: 'hmac-sha256',
  requiredHeaders: [HEADER],
  timestampOk: () => true,
  verifies(req: SignedRequest, secret: SigningSecret): boolean {
    const match = HEX_SIGNATURE.exec(headerOf(req, HEADER)!.trim());
    if (!match) return false;
    const expected = createHmac('sha256', secret.hmacKey).update(req.body).digest();
    return timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
  },
  eventId: () => undefined,
  newSecret: () => randomBytes(32).toString('hex'),
  secretProblems: secretLengthProblems,
  sign: (body, secret) => ({ 'X-Signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` }),
};

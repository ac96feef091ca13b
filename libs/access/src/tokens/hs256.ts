import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto';

/** The one header this service issues; a token with any other (`none`, another algorithm, a key id) is refused. */
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const MAX_TOKEN_LENGTH = 4096;

export type Hs256Verdict = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: 'invalid' | 'expired' };

const INVALID: Hs256Verdict = { ok: false, reason: 'invalid' };
const EXPIRED: Hs256Verdict = { ok: false, reason: 'expired' };

const nowSeconds = () => Math.floor(Date.now() / 1000);

function mac(signed: string, key: KeyObject): string {
  return createHmac('sha256', key).update(signed).digest('base64url');
}

/** A compact JWS (RFC 7515) over `claims` with HMAC-SHA-256, `iat` and `exp` added. */
export function signHs256(claims: Record<string, unknown>, key: KeyObject, ttlSeconds: number, now = nowSeconds()): string {
  const signed = `${HEADER}.${Buffer.from(JSON.stringify({ ...claims, iat: now, exp: now + ttlSeconds })).toString('base64url')}`;
  return `${signed}.${mac(signed, key)}`;
}

/**
 * Verifies a token made by `signHs256` (or any HS256 JWT with the same header): the exact header, a
 * signature compared in constant time on its canonical encoding, then a JSON object payload whose
 * `exp` has not passed and whose `nbf`, if any, has. Expiry is reported only for authentic tokens.
 * Written out rather than taken from jsonwebtoken: it runs on every request, and this is a third of
 * the cost with nothing to configure wrongly.
 */
export function verifyHs256(token: string, key: KeyObject, now = nowSeconds()): Hs256Verdict {
  if (token.length > MAX_TOKEN_LENGTH || !token.startsWith(`${HEADER}.`)) return INVALID;
  const dot = token.indexOf('.', HEADER.length + 1);
  if (dot < 0 || token.indexOf('.', dot + 1) !== -1) return INVALID;
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(mac(token.slice(0, dot), key));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return INVALID;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(token.slice(HEADER.length + 1, dot), 'base64url').toString('utf8'));
  } catch {
    return INVALID;
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return INVALID;
  const { exp, nbf } = claims as { exp?: unknown; nbf?: unknown };
  if (typeof exp !== 'number') return INVALID;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now)) return INVALID;
  if (now >= exp) return EXPIRED;
  return { ok: true, claims: claims as Record<string, unknown> };
}

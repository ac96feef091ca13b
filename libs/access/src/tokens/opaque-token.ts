import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: what refresh, reset, verification and invitation tokens are made of. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens are stored only as this hash. SHA-256 suffices: the input has 256 bits of entropy. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Cheap shape check so malformed tokens are refused before any lookup. */
export function looksLikeOpaqueToken(token: unknown): token is string {
  return typeof token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(token);
}

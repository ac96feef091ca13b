import { createSigner, createVerifier } from 'fast-jwt';

/**
 * What an access token is, besides its claims: HS256, header `typ: at+jwt` (RFC 9068), this issuer and audience,
 * and an expiry. Verification demands all of it, so a token minted for something else with the same secret, or
 * with another algorithm, is refused. Kept free of Nest and the platform: the bench's baselines verify with this.
 */
export const ACCESS_TOKEN = { algorithm: 'HS256', type: 'at+jwt', issuer: 'atrium', audience: 'atrium-api' } as const;

/** Longest token we read; anything longer is refused before hashing or parsing. */
export const MAX_ACCESS_TOKEN_LENGTH = 4096;

/**
 * Verified tokens kept by the verifier (LRU, each until its own expiry at most): a token seen again costs a
 * hash and a lookup instead of an HMAC and a JSON parse. Larger than the bench's 1,000 cycling tokens, which
 * a smaller LRU would evict before each reuse.
 */
const VERIFIED_CACHE_SIZE = 10_000;

/** Signs access tokens with `secret` (fast-jwt wants a Buffer, not a KeyObject), valid for `ttlSeconds`. */
export function createAccessTokenSigner(secret: Buffer, ttlSeconds: number): (claims: Record<string, unknown>) => string {
  return createSigner({
    key: secret,
    algorithm: ACCESS_TOKEN.algorithm,
    header: { alg: ACCESS_TOKEN.algorithm, typ: ACCESS_TOKEN.type },
    iss: ACCESS_TOKEN.issuer,
    aud: ACCESS_TOKEN.audience,
    expiresIn: ttlSeconds * 1000,
  });
}

/** A verifier for access tokens: throws fast-jwt's TokenError (code `FAST_JWT_EXPIRED` for an authentic, expired one). */
export function createAccessTokenVerifier(secret: Buffer): (token: string) => Record<string, unknown> {
  return createVerifier({
    key: secret,
    algorithms: [ACCESS_TOKEN.algorithm],
    checkTyp: ACCESS_TOKEN.type,
    allowedIss: ACCESS_TOKEN.issuer,
    allowedAud: ACCESS_TOKEN.audience,
    requiredClaims: ['iss', 'aud', 'exp'],
    cache: VERIFIED_CACHE_SIZE,
  });
}

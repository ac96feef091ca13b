import pg from 'pg';
import { createAccessTokenVerifier } from '@atrium/access/tokens/access-token-format.js';

/**
 * What both baselines do per request: verify the app's HS256 access token with the app's own verifier (fast-jwt,
 * same options and cache), then one SELECT by primary key.
 */
export const USER_BY_ID = `SELECT id, email, first_name, last_name, phone, avatar_url, email_verified_at, status, created_at, updated_at
  FROM users WHERE id = $1`;

export type TokenVerifier = (token: string) => Record<string, unknown>;

export function baselineEnv(): { port: number; databaseUrl: string; verify: TokenVerifier } {
  const { PORT, DATABASE_URL, JWT_SECRET } = process.env;
  if (!PORT || !DATABASE_URL || !JWT_SECRET) throw new Error('PORT, DATABASE_URL and JWT_SECRET are required');
  return { port: Number(PORT), databaseUrl: DATABASE_URL, verify: createAccessTokenVerifier(Buffer.from(JWT_SECRET, 'utf8')) };
}

export function baselinePool(databaseUrl: string): pg.Pool {
  return new pg.Pool({
    connectionString: databaseUrl,
    max: Number(process.env.DATABASE_POOL_SIZE ?? 20),
    application_name: 'atrium-baseline',
  });
}

/** The token's subject, or undefined when the header is missing or the token does not verify. */
export function subjectOf(authorization: string | undefined, verify: TokenVerifier): string | undefined {
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
  if (!token) return undefined;
  try {
    const claims = verify(token);
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

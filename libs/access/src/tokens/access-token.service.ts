import { Injectable } from '@nestjs/common';
import { TokenError } from 'fast-jwt';
import { AppConfig } from '@atrium/platform';
import { createAccessTokenSigner, createAccessTokenVerifier, MAX_ACCESS_TOKEN_LENGTH } from './access-token-format.js';
import { AccessError } from '../access.errors.js';

export interface AccessClaims {
  /** user id */
  sub: string;
  /** session id */
  sid: string;
  /** organization id */
  org: string;
}

const invalidToken = () => AccessError.invalid_token();

/** Short-lived HS256 access tokens, signed and verified by fast-jwt (see access-token-format.ts for what is checked). */
@Injectable()
export class AccessTokenService {
  private readonly signer: (claims: Record<string, unknown>) => string;
  private readonly verifier: (token: string) => Record<string, unknown>;

  constructor(private readonly config: AppConfig) {
    const secret = config.auth.jwtKey.export();
    this.signer = createAccessTokenSigner(secret, config.auth.accessTtlSeconds);
    this.verifier = createAccessTokenVerifier(secret);
  }

  get ttlSeconds(): number {
    return this.config.auth.accessTtlSeconds;
  }

  sign(claims: AccessClaims): string {
    return this.signer({ sub: claims.sub, sid: claims.sid, org: claims.org });
  }

  /** The token's claims, or a 401 with `token_expired` (authentic but expired) / `invalid_token` (anything else). */
  verify(token: string): AccessClaims {
    if (token.length > MAX_ACCESS_TOKEN_LENGTH) throw invalidToken();
    let claims: Record<string, unknown>;
    try {
      claims = this.verifier(token);
    } catch (err) {
      if (err instanceof TokenError && err.code === TokenError.codes.expired) {
        throw AccessError.token_expired();
      }
      throw invalidToken();
    }
    const { sub, sid, org } = claims;
    if (typeof sub !== 'string' || typeof sid !== 'string' || typeof org !== 'string') throw invalidToken();
    return { sub, sid, org };
  }
}

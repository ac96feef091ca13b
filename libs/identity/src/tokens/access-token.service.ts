import { Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { AppConfig, unauthorized } from '@atrium/platform';

export interface AccessClaims {
  /** user id */
  sub: string;
  /** session id */
  sid: string;
  /** organization id */
  org: string;
}

/** HS256 access tokens, signed and verified with a prebuilt KeyObject and a pinned algorithm. */
@Injectable()
export class AccessTokenService {
  constructor(private readonly config: AppConfig) {}

  get ttlSeconds(): number {
    return this.config.auth.accessTtlSeconds;
  }

  sign(claims: AccessClaims): string {
    return jwt.sign(claims, this.config.auth.jwtKey, { algorithm: 'HS256', expiresIn: this.ttlSeconds });
  }

  /** The token's claims, or a 401 with `token_expired` / `invalid_token`. */
  verify(token: string): AccessClaims {
    try {
      const claims = jwt.verify(token, this.config.auth.jwtKey, { algorithms: ['HS256'] }) as Partial<AccessClaims>;
      if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.org !== 'string') {
        throw unauthorized('invalid_token', 'Invalid access token');
      }
      return claims as AccessClaims;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw unauthorized('token_expired', 'Access token expired');
      throw unauthorized('invalid_token', 'Invalid access token');
    }
  }
}

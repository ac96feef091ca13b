import { Injectable } from '@nestjs/common';
import { AppConfig, unauthorized } from '@atrium/platform';
import { signHs256, verifyHs256 } from './hs256.js';

export interface AccessClaims {
  /** user id */
  sub: string;
  /** session id */
  sid: string;
  /** organization id */
  org: string;
}

/** HS256 access tokens, signed and verified with a prebuilt KeyObject and the one header we issue. */
@Injectable()
export class AccessTokenService {
  constructor(private readonly config: AppConfig) {}

  get ttlSeconds(): number {
    return this.config.auth.accessTtlSeconds;
  }

  sign(claims: AccessClaims): string {
    return signHs256({ ...claims }, this.config.auth.jwtKey, this.ttlSeconds);
  }

  /** The token's claims, or a 401 with `token_expired` / `invalid_token`. */
  verify(token: string): AccessClaims {
    const verdict = verifyHs256(token, this.config.auth.jwtKey);
    if (!verdict.ok) {
      throw verdict.reason === 'expired'
        ? unauthorized('token_expired', 'Access token expired')
        : unauthorized('invalid_token', 'Invalid access token');
    }
    const { sub, sid, org } = verdict.claims;
    if (typeof sub !== 'string' || typeof sid !== 'string' || typeof org !== 'string') {
      throw unauthorized('invalid_token', 'Invalid access token');
    }
    return { sub, sid, org };
  }
}

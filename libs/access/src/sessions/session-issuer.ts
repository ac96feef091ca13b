import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SessionService, type SessionStart } from './session.service.js';
import { AccessTokenService } from '../tokens/access-token.service.js';

/** A session's bearer and refresh tokens, as the sign-in answers carry them. */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
}

/** Opens a session and mints its first token pair. */
@Injectable()
export class SessionIssuer {
  constructor(
    private readonly sessions: SessionService,
    private readonly accessTokens: AccessTokenService,
  ) {}

  async open(input: SessionStart, em?: EntityManager): Promise<TokenPair & { sessionId: string }> {
    const { session, refreshToken } = await this.sessions.start(input, em);
    return {
      sessionId: session.id,
      access_token: this.accessTokens.sign({ sub: input.userId, sid: session.id, org: input.organizationId }),
      refresh_token: refreshToken,
    };
  }

  async refresh(token: unknown, meta: { ip?: string; userAgent?: string }): Promise<TokenPair> {
    const { session, refreshToken } = await this.sessions.rotate(token, meta);
    return {
      access_token: this.accessTokens.sign({ sub: session.userId, sid: session.id, org: session.organizationId }),
      refresh_token: refreshToken,
    };
  }
}

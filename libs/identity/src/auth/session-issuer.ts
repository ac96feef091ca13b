import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SessionService, type SessionStart } from '../sessions/session.service.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import type { TokenPairDto } from './dto/login.dto.js';

/** Opens a session and mints its first token pair. */
@Injectable()
export class SessionIssuer {
  constructor(
    private readonly sessions: SessionService,
    private readonly accessTokens: AccessTokenService,
  ) {}

  async open(input: SessionStart, em?: EntityManager): Promise<TokenPairDto & { sessionId: string }> {
    const { session, refreshToken } = await this.sessions.start(input, em);
    return {
      sessionId: session.id,
      access_token: this.accessTokens.sign({ sub: input.userId, sid: session.id, org: input.organizationId }),
      refresh_token: refreshToken,
    };
  }

  async refresh(token: unknown, meta: { ip?: string; userAgent?: string }): Promise<TokenPairDto> {
    const { session, refreshToken } = await this.sessions.rotate(token, meta);
    return {
      access_token: this.accessTokens.sign({ sub: session.userId, sid: session.id, org: session.organizationId }),
      refresh_token: refreshToken,
    };
  }
}

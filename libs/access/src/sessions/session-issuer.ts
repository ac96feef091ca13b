import { acrossTenants } from '@atrium/platform';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { KnownSignIns } from './known-sign-ins.js';
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
    private readonly knownSignIns: KnownSignIns,
  ) {}

  /**
   * A session for someone who just proved who they are (password, MFA, magic link): opened as `open` does, and its
   * device and address recorded in the same transaction, announcing `session.new_sign_in` when either is new.
   */
  async signIn(input: SessionStart, em: EntityManager, requestId?: string): Promise<TokenPair & { sessionId: string }> {
    const opened = await this.open(input, em);
    await this.knownSignIns.record(em, { ...input, sessionId: opened.sessionId, requestId });
    return opened;
  }

  /** A session for a device already signed in (switching organization): no sign-in to record. */
  async open(input: SessionStart, em?: EntityManager): Promise<TokenPair & { sessionId: string }> {
    const { session, refreshToken } = await this.sessions.start(input, em);
    return {
      sessionId: session.id,
      access_token: this.accessTokens.sign({ sub: input.userId, sid: session.id, org: input.organizationId }),
      refresh_token: refreshToken,
    };
  }

  /** Across tenants (row-level security): the rotation is keyed by the refresh token, the one credential presented. */
  async refresh(token: unknown, meta: { ip?: string; userAgent?: string }): Promise<TokenPair> {
    const { session, refreshToken } = await acrossTenants(() => this.sessions.rotate(token, meta));
    return {
      access_token: this.accessTokens.sign({ sub: session.userId, sid: session.id, org: session.organizationId }),
      refresh_token: refreshToken,
    };
  }
}

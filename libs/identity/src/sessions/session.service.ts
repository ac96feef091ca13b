import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { AppConfig, EventBus, returnedRows, unauthorized } from '@atrium/platform';
import { hashToken, looksLikeOpaqueToken, newOpaqueToken } from '../tokens/opaque-token.js';
import { RefreshToken } from './refresh-token.entity.js';
import { Session } from './session.entity.js';

export interface SessionStart {
  userId: string;
  organizationId: string;
  ip?: string;
  userAgent?: string;
}

const invalidRefresh = () => unauthorized('invalid_refresh_token', 'Refresh token is invalid, expired or revoked');

/** Sessions and their rotating refresh-token families. */
@Injectable()
export class SessionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly events: EventBus,
  ) {}

  /** Opens a session and returns it with its first refresh token (shown once, stored hashed). */
  async start(input: SessionStart, em: EntityManager = this.dataSource.manager): Promise<{ session: Session; refreshToken: string }> {
    const now = new Date();
    const session = await em.getRepository(Session).save(
      em.getRepository(Session).create({
        userId: input.userId,
        organizationId: input.organizationId,
        ip: input.ip ?? null,
        userAgent: input.userAgent?.slice(0, 512) ?? null,
        lastUsedAt: now,
        expiresAt: new Date(now.getTime() + this.config.auth.refreshTtlSeconds * 1000),
      }),
    );
    const refreshToken = await this.issueRefreshToken(em, session.id);
    return { session, refreshToken };
  }

  /**
   * Exchanges a refresh token for the next one. A token already rotated means it leaked or was
   * replayed: the whole session is revoked, so the newest token of the family stops working too.
   */
  async rotate(token: unknown, meta: { ip?: string; userAgent?: string }): Promise<{ session: Session; refreshToken: string }> {
    if (!looksLikeOpaqueToken(token)) throw invalidRefresh();
    const tokenHash = hashToken(token);
    const outcome = await this.dataSource.transaction(async (em) => {
      const rows = returnedRows<{ session_id: string }>(
        await em.query(`UPDATE refresh_tokens SET rotated_at = now() WHERE token_hash = $1 AND rotated_at IS NULL RETURNING session_id`, [
          tokenHash,
        ]),
      );
      if (!rows.length) {
        const reused = await em.getRepository(RefreshToken).findOne({ where: { tokenHash } });
        return reused ? { reusedSessionId: reused.sessionId } : { invalid: true as const };
      }
      const session = await em.getRepository(Session).findOne({ where: { id: rows[0].session_id } });
      if (!session || session.revokedAt || session.expiresAt < new Date()) return { invalid: true as const };
      session.lastUsedAt = new Date();
      session.ip = meta.ip ?? session.ip;
      await em.getRepository(Session).save(session);
      return { session, refreshToken: await this.issueRefreshToken(em, session.id) };
    });
    if ('reusedSessionId' in outcome && outcome.reusedSessionId) {
      await this.revoke([outcome.reusedSessionId], 'refresh_token_reuse');
      throw unauthorized('refresh_token_reused', 'Refresh token was already used; the session has been revoked');
    }
    if ('invalid' in outcome) throw invalidRefresh();
    return outcome as { session: Session; refreshToken: string };
  }

  /**
   * Ends sessions now; their access tokens fail on the next request. Without a transaction the
   * sockets are closed at once; inside one, call `announceRevoked` after commit.
   */
  async revoke(sessionIds: string[], reason: string, em?: EntityManager): Promise<string[]> {
    if (!sessionIds.length) return [];
    const revoked = returnedRows<{ id: string }>(
      await (em ?? this.dataSource.manager).query(
        `UPDATE sessions SET revoked_at = now(), revoke_reason = $2 WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL RETURNING id`,
        [sessionIds, reason],
      ),
    ).map((r) => r.id);
    if (!em) await this.announceRevoked(revoked, reason);
    return revoked;
  }

  /** Tells the rest of the platform (the socket gateway) that these sessions ended. */
  async announceRevoked(sessionIds: string[], reason: string): Promise<void> {
    if (sessionIds.length) await this.events.publish({ name: 'session.revoked', payload: { sessionIds, reason } });
  }

  /** Ends every open session of a user, optionally keeping one (the caller's own). */
  async revokeAllForUser(userId: string, reason: string, exceptSessionId?: string, em?: EntityManager): Promise<string[]> {
    const open = await (em ?? this.dataSource.manager)
      .getRepository(Session)
      .find({ select: { id: true }, where: { userId, revokedAt: IsNull() } });
    return this.revoke(
      open.map((s) => s.id).filter((id) => id !== exceptSessionId),
      reason,
      em,
    );
  }

  /** Ends a user's sessions that act for one organization (e.g. when their membership is revoked). */
  async revokeForMembership(userId: string, organizationId: string, reason: string, em?: EntityManager): Promise<string[]> {
    const open = await (em ?? this.dataSource.manager)
      .getRepository(Session)
      .find({ select: { id: true }, where: { userId, organizationId, revokedAt: IsNull() } });
    return this.revoke(
      open.map((s) => s.id),
      reason,
      em,
    );
  }

  findOpen(userId: string): Promise<Session[]> {
    return this.dataSource.getRepository(Session).find({ where: { userId, revokedAt: IsNull() }, order: { lastUsedAt: 'DESC' } });
  }

  async setOrganization(sessionId: string, organizationId: string): Promise<void> {
    await this.dataSource.getRepository(Session).update({ id: sessionId }, { organizationId, lastUsedAt: new Date() });
  }

  private async issueRefreshToken(em: EntityManager, sessionId: string): Promise<string> {
    const token = newOpaqueToken();
    await em.getRepository(RefreshToken).insert({ sessionId, tokenHash: hashToken(token) });
    return token;
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull, Not } from 'typeorm';
import { acrossTenants, AppConfig, Outbox, PreparedQuery, returnedRows, StatementPool } from '@atrium/platform';
import { hashToken, looksLikeOpaqueToken, newOpaqueToken } from '../tokens/opaque-token.js';
import { RefreshToken } from './refresh-token.entity.js';
import { Session } from './session.entity.js';
import { AccessError } from '../access.errors.js';

export interface SessionStart {
  userId: string;
  organizationId: string;
  ip?: string;
  userAgent?: string;
}

/** Who a rotated session belongs to: what a new access token needs. */
export type RotatedSession = Pick<Session, 'id' | 'userId' | 'organizationId'>;

/**
 * One refresh in one statement (one round trip, no BEGIN/COMMIT): burn the presented token if it is
 * current, touch its session if that is still open, and store the next token's hash for it. A token
 * that is current but whose session has ended is burnt all the same, and no next token is stored; so is
 * one whose account is suspended or whose membership ended, even if nothing revoked the session (the
 * access token it would mint fails on its first request anyway).
 */
export const ROTATE_SQL = `
  WITH rotated AS (
    UPDATE refresh_tokens SET rotated_at = now()
     WHERE token_hash = $1 AND rotated_at IS NULL
     RETURNING session_id
  ), live AS (
    UPDATE sessions s SET last_used_at = now(), updated_at = now(), ip = COALESCE($3, s.ip)
      FROM rotated r
     WHERE s.id = r.session_id AND s.revoked_at IS NULL AND s.expires_at > now()
       AND EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id AND u.status = 'active')
       AND EXISTS (SELECT 1 FROM memberships m
                    WHERE m.user_id = s.user_id AND m.organization_id = s.organization_id AND m.status = 'active')
     RETURNING s.id, s.user_id, s.organization_id
  ), issued AS (
    INSERT INTO refresh_tokens (session_id, token_hash) SELECT id, $2 FROM live
  )
  SELECT l.id, l.user_id, l.organization_id FROM rotated LEFT JOIN live l ON true`;

const invalidRefresh = () => AccessError.invalid_refresh_token();

/** Sessions and their rotating refresh-token families. */
@Injectable()
export class SessionService {
  private readonly rotation: PreparedQuery<{ id: string | null; user_id: string; organization_id: string }>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly outbox: Outbox,
    statements: StatementPool,
  ) {
    this.rotation = new PreparedQuery(statements, 'atrium_refresh_rotate', ROTATE_SQL);
  }

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
  async rotate(token: unknown, meta: { ip?: string; userAgent?: string }): Promise<{ session: RotatedSession; refreshToken: string }> {
    if (!looksLikeOpaqueToken(token)) throw invalidRefresh();
    const tokenHash = hashToken(token);
    const next = newOpaqueToken();
    const [row] = await this.rotation.rows([tokenHash, hashToken(next), meta.ip ?? null]);
    if (row?.id) return { session: { id: row.id, userId: row.user_id, organizationId: row.organization_id }, refreshToken: next };
    if (row) throw invalidRefresh(); // a current token of a session that has ended
    // Only a failed refresh pays for finding out why: a token rotated before means it was replayed.
    const reused = await this.dataSource.getRepository(RefreshToken).findOne({ where: { tokenHash, rotatedAt: Not(IsNull()) } });
    if (reused) {
      await this.revoke([reused.sessionId], 'refresh_token_reuse');
      throw AccessError.refresh_token_reused();
    }
    throw invalidRefresh();
  }

  /**
   * Ends sessions now; their access tokens fail on the next request. The `session.revoked` event (whose
   * delivery closes their sockets on every instance) is written with the change: in `em`'s transaction when
   * given, else in one of its own.
   */
  async revoke(sessionIds: string[], reason: string, em?: EntityManager): Promise<string[]> {
    if (!sessionIds.length) return [];
    // Across tenants (row-level security): a session is ended by its id wherever it was opened (a caller acting for
    // another of their organizations with X-Organization-Id still ends their own).
    return acrossTenants(() => this.revokeWhere('id = ANY($2::uuid[])', [sessionIds], reason, em));
  }

  /**
   * Ends every open session of a user, optionally keeping one (the caller's own): in every organization, so across
   * tenants (row-level security), keyed by the account.
   */
  async revokeAllForUser(userId: string, reason: string, exceptSessionId?: string, em?: EntityManager): Promise<string[]> {
    return acrossTenants(() =>
      this.revokeWhere('user_id = $2 AND id IS DISTINCT FROM $3::uuid', [userId, exceptSessionId ?? null], reason, em),
    );
  }

  /** Ends a user's sessions that act for one organization (e.g. when their membership is revoked). */
  async revokeForMembership(userId: string, organizationId: string, reason: string, em?: EntityManager): Promise<string[]> {
    return this.revokeWhere('user_id = $2 AND organization_id = $3', [userId, organizationId], reason, em);
  }

  /** One UPDATE picks and ends the open sessions matching `where` ($1 is the reason), so none opened meanwhile is missed. */
  private async revokeWhere(where: string, params: unknown[], reason: string, em?: EntityManager): Promise<string[]> {
    if (!em) return this.dataSource.transaction((tx) => this.revokeWhere(where, params, reason, tx));
    const revoked = returnedRows<{ id: string }>(
      await em.query(`UPDATE sessions SET revoked_at = now(), revoke_reason = $1 WHERE revoked_at IS NULL AND ${where} RETURNING id`, [
        reason,
        ...params,
      ]),
    ).map((r) => r.id);
    // No organization: the event takes no ordering lock, so it may come anywhere in the caller's transaction.
    if (revoked.length) this.outbox.add(em, { name: 'session.revoked', payload: { sessionIds: revoked, reason } });
    return revoked;
  }

  private async issueRefreshToken(em: EntityManager, sessionId: string): Promise<string> {
    const token = newOpaqueToken();
    await em.getRepository(RefreshToken).insert({ sessionId, tokenHash: hashToken(token) });
    return token;
  }
}

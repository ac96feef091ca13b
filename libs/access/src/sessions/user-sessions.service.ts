import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, MoreThan } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { acrossTenants, isUuid, notFound, type Page, pageOffset, type RequestContext, toPage } from '@atrium/platform';
import { describeDevice } from './device.js';
import { Session } from './session.entity.js';
import { SessionService } from './session.service.js';

/** The signed-in user's own devices: list them and sign one out. */
@Injectable()
export class UserSessionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionService,
    private readonly audit: AuditWriter,
  ) {}

  /** Open sessions (not ended, not expired), most recently used first. */
  async list(ctx: RequestContext, query: { page: number; limit: number }): Promise<Page<Session>> {
    const userId = ctx.requireUserId();
    // Across tenants (row-level security): the caller's own devices, whichever organization each acts for.
    const [rows, total] = await acrossTenants(() =>
      this.dataSource.getRepository(Session).findAndCount({
        where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
        order: { lastUsedAt: 'DESC', createdAt: 'DESC' },
        skip: pageOffset(query),
        take: query.limit,
      }),
    );
    return toPage(rows, total, query);
  }

  /** Ends one of your sessions (its access tokens fail on the next request); someone else's id answers 404. */
  async end(ctx: RequestContext, sessionId: string): Promise<void> {
    const userId = ctx.requireUserId();
    if (!isUuid(sessionId)) throw notFound('Session');
    // Across tenants, as the list: one of the caller's own sessions, by its id and their account.
    await acrossTenants(() =>
      this.dataSource.transaction(async (em) => {
        const session = await em.getRepository(Session).findOne({ where: { id: sessionId, userId, revokedAt: IsNull() } });
        if (!session) throw notFound('Session');
        await this.sessions.revoke([session.id], 'signed_out_by_user', em);
        await this.audit.record(em, ctx, {
          action: 'session.revoked',
          resourceType: 'session',
          resourceId: session.id,
          target: describeDevice(session.userAgent),
          metadata: { device: describeDevice(session.userAgent), ip: session.ip, own_session: session.id === ctx.meta.sessionId },
        });
      }),
    );
  }
}

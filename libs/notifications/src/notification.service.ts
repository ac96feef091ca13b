import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { isUuid, Outbox, type RequestContext, returnedRows, Rooms } from '@atrium/platform';
import { NotificationSocketEvent } from './delivery/notification-store.js';
import { NotificationsError } from './notifications.errors.js';

/**
 * Marks the caller's notifications read and deletes them, keeping their counts row right in the same transaction, and
 * tells the user's other sockets for this organization (`notification:read`, `notification:deleted` with the new
 * unread count) so every tab's badge follows.
 */
@Injectable()
export class NotificationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** Marks one read; reading a read one again changes nothing and tells nobody. */
  async markRead(ctx: RequestContext, id: string): Promise<void> {
    const { organizationId, userId } = this.caller(ctx, id);
    await this.dataSource.transaction(async (em) => {
      const read = returnedRows<{ read_at: Date }>(
        await em.query(
          `UPDATE notifications SET read_at = now()
            WHERE id = $1 AND organization_id = $2 AND user_id = $3 AND in_app AND read_at IS NULL RETURNING read_at`,
          [id, organizationId, userId],
        ),
      );
      if (!read.length) return this.assertExists(em, id, organizationId, userId);
      const unread = await this.count(em, organizationId, userId, { unread: -1 });
      this.tell(em, ctx, NotificationSocketEvent.read, { ids: [id], read_at: read[0].read_at.toISOString(), unread_count: unread });
    });
  }

  /** Marks every unread one read; answers how many it marked. Notifications arriving meanwhile stay unread and counted. */
  async markAllRead(ctx: RequestContext): Promise<number> {
    const organizationId = ctx.requireOrganizationId();
    const userId = ctx.requireUserId();
    return this.dataSource.transaction(async (em) => {
      const [{ marked, read_at }]: Array<{ marked: number; read_at: Date }> = await em.query(
        `WITH marked AS (
           UPDATE notifications SET read_at = now()
            WHERE organization_id = $1 AND user_id = $2 AND in_app AND read_at IS NULL RETURNING 1)
         SELECT count(*)::int AS marked, now() AS read_at FROM marked`,
        [organizationId, userId],
      );
      if (!marked) return 0;
      const unread = await this.count(em, organizationId, userId, { unread: -marked });
      this.tell(em, ctx, NotificationSocketEvent.read, { all: true, read_at: read_at.toISOString(), unread_count: unread });
      return marked;
    });
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    const { organizationId, userId } = this.caller(ctx, id);
    await this.dataSource.transaction(async (em) => {
      const gone = returnedRows<{ read_at: Date | null }>(
        await em.query(`DELETE FROM notifications WHERE id = $1 AND organization_id = $2 AND user_id = $3 AND in_app RETURNING read_at`, [
          id,
          organizationId,
          userId,
        ]),
      );
      if (!gone.length) throw NotificationsError.notification_not_found();
      const unread = await this.count(em, organizationId, userId, { total: -1, unread: gone[0].read_at ? 0 : -1 });
      this.tell(em, ctx, NotificationSocketEvent.deleted, { id, unread_count: unread });
    });
  }

  private caller(ctx: RequestContext, id: string): { organizationId: string; userId: string } {
    const organizationId = ctx.requireOrganizationId();
    const userId = ctx.requireUserId();
    if (!isUuid(id)) throw NotificationsError.notification_not_found();
    return { organizationId, userId };
  }

  private async assertExists(em: EntityManager, id: string, organizationId: string, userId: string): Promise<void> {
    const found: unknown[] = await em.query(
      `SELECT 1 FROM notifications WHERE id = $1 AND organization_id = $2 AND user_id = $3 AND in_app`,
      [id, organizationId, userId],
    );
    if (!found.length) throw NotificationsError.notification_not_found();
  }

  /** Moves the caller's counts and answers the new unread count. */
  private async count(em: EntityManager, organizationId: string, userId: string, by: { total?: number; unread: number }): Promise<number> {
    const [row] = returnedRows<{ unread: number }>(
      await em.query(
        `UPDATE notification_counts SET total = total + $3, unread = unread + $4
          WHERE organization_id = $1 AND user_id = $2 RETURNING unread`,
        [organizationId, userId, by.total ?? 0, by.unread],
      ),
    );
    return row.unread;
  }

  private tell(em: EntityManager, ctx: RequestContext, name: string, payload: Record<string, unknown>): void {
    const organizationId = ctx.requireOrganizationId();
    const userId = ctx.requireUserId();
    this.outbox.add(em, {
      name,
      organizationId,
      actorId: userId,
      payload,
      rooms: [Rooms.member(organizationId, userId)],
      requestId: ctx.requestId,
    });
  }
}

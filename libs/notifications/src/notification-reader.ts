import { Injectable } from '@nestjs/common';
import { isoSql, isUuid, type Page, pageOffset, PreparedQuery, type RequestContext, StatementPool, toPage } from '@atrium/platform';
import type { NotificationDto, UnreadCountDto } from './dto/notification.dto.js';
import { NotificationsError } from './notifications.errors.js';

/**
 * A notification row `n` as the DTO (JSON built in the statement) with its mail's status from `mail_deliveries`:
 * held until its time comes (quiet hours), then queued, sent or failed; delivered and bounced as the provider reports.
 */
const DTO = `json_build_object(
    'id', n.id, 'type', n.type, 'title', n.title, 'body', n.body, 'link', n.link, 'data', n.data,
    'read', n.read_at IS NOT NULL, 'read_at', ${isoSql('n.read_at')},
    'email_status', CASE WHEN n.email_key IS NULL THEN NULL
                         WHEN md.bounced_at IS NOT NULL THEN 'bounced'
                         WHEN md.delivered_at IS NOT NULL THEN 'delivered'
                         WHEN md.failed_at IS NOT NULL THEN 'failed'
                         WHEN md.sent_at IS NOT NULL THEN 'sent'
                         WHEN md.send_after > now() THEN 'held'
                         ELSE 'queued' END,
    'created_at', ${isoSql('n.created_at')})`;

/** A page of the caller's in-app notifications, newest first, with the total from their counts row (one row, not a count). */
const page = (unreadOnly: boolean) => `
  SELECT coalesce(c.${unreadOnly ? 'unread' : 'total'}, 0) AS total, p.dto
    FROM (SELECT 1) one
    LEFT JOIN notification_counts c ON c.organization_id = $1 AND c.user_id = $2
    LEFT JOIN LATERAL (
      SELECT ${DTO} AS dto, n.created_at, n.id
        FROM notifications n LEFT JOIN mail_deliveries md ON md.idempotency_key = n.email_key
       WHERE n.organization_id = $1 AND n.user_id = $2 AND n.in_app ${unreadOnly ? 'AND n.read_at IS NULL' : ''}
       ORDER BY n.created_at DESC, n.id DESC
       LIMIT $3 OFFSET $4) p ON true
   ORDER BY p.created_at DESC, p.id DESC`;

/** The statement of `GET /notifications` (all, not only unread): organization, user, limit, offset. */
export const NOTIFICATION_PAGE_SQL = page(false);

export type NotificationPageRow = { total: number; dto: NotificationDto | null };

/** The page a NOTIFICATION_PAGE_SQL result answers (an offset past the end: one row with the total and no notification). */
export function notificationPage(rows: NotificationPageRow[], query: { page: number; limit: number }): Page<NotificationDto> {
  return toPage(
    rows.flatMap((r) => (r.dto ? [r.dto] : [])),
    rows[0]?.total ?? 0,
    query,
  );
}

const ONE = `
  SELECT ${DTO} AS dto FROM notifications n LEFT JOIN mail_deliveries md ON md.idempotency_key = n.email_key
   WHERE n.id = $1 AND n.organization_id = $2 AND n.user_id = $3 AND n.in_app`;

const COUNT = `SELECT unread, total FROM notification_counts WHERE organization_id = $1 AND user_id = $2`;

/** Reads the caller's notifications in the current organization (hot, fixed statements: prepared). */
@Injectable()
export class NotificationReader {
  private readonly all: PreparedQuery<NotificationPageRow>;
  private readonly unread: PreparedQuery<NotificationPageRow>;
  private readonly one: PreparedQuery<{ dto: NotificationDto }>;
  private readonly count: PreparedQuery<{ unread: number; total: number }>;

  constructor(statements: StatementPool) {
    this.all = new PreparedQuery(statements, 'notifications_page', NOTIFICATION_PAGE_SQL);
    this.unread = new PreparedQuery(statements, 'notifications_unread_page', page(true));
    this.one = new PreparedQuery(statements, 'notifications_one', ONE);
    this.count = new PreparedQuery(statements, 'notifications_count', COUNT);
  }

  async list(ctx: RequestContext, query: { page: number; limit: number; unread_only?: boolean }): Promise<Page<NotificationDto>> {
    const statement = query.unread_only ? this.unread : this.all;
    return notificationPage(
      await statement.rows([ctx.requireOrganizationId(), ctx.requireUserId(), query.limit, pageOffset(query)]),
      query,
    );
  }

  async get(ctx: RequestContext, id: string): Promise<NotificationDto> {
    if (!isUuid(id)) throw NotificationsError.notification_not_found();
    const [row] = await this.one.rows([id, ctx.requireOrganizationId(), ctx.requireUserId()]);
    if (!row) throw NotificationsError.notification_not_found();
    return row.dto;
  }

  async unreadCount(ctx: RequestContext): Promise<UnreadCountDto> {
    const [row] = await this.count.rows([ctx.requireOrganizationId(), ctx.requireUserId()]);
    return { unread_count: row?.unread ?? 0, total: row?.total ?? 0 };
  }
}

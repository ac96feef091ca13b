import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  MailService,
  type NotificationContent,
  type NotificationType,
  Outbox,
  type OutgoingMail,
  RequestContext,
  Rooms,
} from '@atrium/platform';
import type { EmailStatus, NotificationDto } from '../dto/notification.dto.js';
import { pairKey } from '../preferences/preference-store.js';
import { NotificationMail, type MailRecipient } from './notification-mail.js';

/** Socket events to a user's sockets acting for the notification's organization (`member:{org}:{user}`). */
export const NotificationSocketEvent = {
  new: 'notification:new',
  read: 'notification:read',
  deleted: 'notification:deleted',
} as const;

/** One recipient's notification from a write's source: its content, on the channels chosen for them. */
export interface NewNotification {
  organizationId: string;
  userId: string;
  content: NotificationContent;
  inApp: boolean;
  email: boolean;
  /** When the mail may go (the end of the recipient's quiet hours); now when absent. */
  mailNotBefore?: Date;
}

/** What one write's notifications come from: a second write from the same source for the same user changes nothing. */
export interface NotificationSource {
  type: NotificationType;
  /** The event (or digest) they come from. */
  id: string;
}

interface Inserted {
  id: string;
  organization_id: string;
  user_id: string;
  type: string;
  title: string;
  body: string;
  link: string | null;
  data: Record<string, unknown>;
  in_app: boolean;
  email_key: string | null;
  created_at: Date;
}

/**
 * Writes notifications in the caller's transaction: the rows, each recipient's counts, a `notification:new` push per
 * in-app notification (through the outbox, so it is sent once after the commit), and the mail (one per source, type
 * and user, however many organizations an account-wide notice is stored in).
 */
@Injectable()
export class NotificationStore {
  constructor(
    private readonly outbox: Outbox,
    private readonly mail: MailService,
    private readonly mails: NotificationMail,
  ) {}

  /** `items`: one per recipient (organization and user), all from `source`. */
  async write(em: EntityManager, ctx: RequestContext, source: NotificationSource, items: NewNotification[]): Promise<void> {
    const kept = items.filter((n) => n.inApp || n.email);
    if (!kept.length) return;
    const mailKey = (n: NewNotification) => (n.email ? `notification:${source.id}:${source.type.key}:${n.userId}` : null);
    const inserted: Inserted[] = await em.query(
      `INSERT INTO notifications (organization_id, user_id, type, source_id, title, body, link, data, in_app, email_key)
       SELECT o, u, $3, $4, t, b, l, d, i, k
         FROM unnest($1::uuid[], $2::uuid[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::boolean[], $10::text[])
              AS n (o, u, t, b, l, d, i, k)
       ON CONFLICT ON CONSTRAINT uq_notifications_source DO NOTHING
       RETURNING id, organization_id, user_id, type, title, body, link, data, in_app, email_key, created_at`,
      [
        kept.map((n) => n.organizationId),
        kept.map((n) => n.userId),
        source.type.key,
        source.id,
        kept.map((n) => n.content.title),
        kept.map((n) => n.content.body),
        kept.map((n) => n.content.link ?? null),
        kept.map((n) => JSON.stringify(n.content.data ?? {})),
        kept.map((n) => n.inApp),
        kept.map(mailKey),
      ],
    );
    if (!inserted.length) return;
    // One source and type: a recipient's organization and user name their one row.
    const byRecipient = new Map(kept.map((n) => [pairKey(n.organizationId, n.userId), n]));
    const itemOf = (row: Inserted) => byRecipient.get(pairKey(row.organization_id, row.user_id))!;
    await this.push(
      em,
      ctx,
      inserted.filter((r) => r.in_app),
      itemOf,
    );
    await this.sendMail(em, ctx, source.type, inserted, itemOf);
  }

  /** Counts up, then one push per in-app notification carrying the recipient's new unread count. */
  private async push(em: EntityManager, ctx: RequestContext, rows: Inserted[], itemOf: (row: Inserted) => NewNotification): Promise<void> {
    if (!rows.length) return;
    // One row per member (one source and type), taken in the database's key order — as the retention job locks them —
    // so transactions counting for the same members lock their rows in one order and cannot deadlock.
    const key = (r: Inserted) => pairKey(r.organization_id, r.user_id);
    const counted: Array<{ organization_id: string; user_id: string; unread: number }> = await em.query(
      `INSERT INTO notification_counts AS c (organization_id, user_id, total, unread)
       SELECT o, u, 1, 1 FROM unnest($1::uuid[], $2::uuid[]) AS t (o, u) ORDER BY o, u
       ON CONFLICT (organization_id, user_id) DO UPDATE SET total = c.total + 1, unread = c.unread + 1
       RETURNING organization_id, user_id, unread`,
      [rows.map((r) => r.organization_id), rows.map((r) => r.user_id)],
    );
    const unread = new Map(counted.map((c) => [pairKey(c.organization_id, c.user_id), c.unread]));
    for (const r of rows) {
      const status: EmailStatus | null = r.email_key ? (itemOf(r).mailNotBefore ? 'held' : 'queued') : null;
      this.outbox.add(em, {
        name: NotificationSocketEvent.new,
        organizationId: r.organization_id,
        payload: { notification: notificationDto(r, status), unread_count: unread.get(key(r)) ?? 0 },
        rooms: [Rooms.member(r.organization_id, r.user_id)],
        requestId: ctx.requestId,
      });
    }
  }

  /** One mail per key (an account-wide notice stored in several organizations shares it), to active accounts. */
  private async sendMail(
    em: EntityManager,
    ctx: RequestContext,
    type: NotificationType,
    rows: Inserted[],
    itemOf: (row: Inserted) => NewNotification,
  ): Promise<void> {
    const first = new Map<string, Inserted>();
    for (const r of rows) if (r.email_key && !first.has(r.email_key)) first.set(r.email_key, r);
    if (!first.size) return;
    const users: MailRecipient[] = await em.query(
      `SELECT id, email, first_name FROM users WHERE id = ANY ($1::uuid[]) AND status = 'active'`,
      [[...new Set([...first.values()].map((r) => r.user_id))]],
    );
    const byId = new Map(users.map((u) => [u.id, u]));
    // Per organization: the delivery row names the organization it was sent for.
    const perOrganization = new Map<string, OutgoingMail[]>();
    for (const [key, row] of first) {
      const to = byId.get(row.user_id);
      if (!to) continue;
      const item = itemOf(row);
      const mails = perOrganization.get(row.organization_id) ?? [];
      mails.push({
        message: this.mails.compose(to, type, item.content, row.organization_id),
        idempotencyKey: key,
        notBefore: item.mailNotBefore,
      });
      perOrganization.set(row.organization_id, mails);
    }
    for (const [organizationId, mails] of perOrganization) {
      await this.mail.sendAllIn(em, RequestContext.system(ctx.requestId, organizationId), mails);
    }
  }
}

/** A stored notification as the API and `notification:new` show it. */
export function notificationDto(
  r: Pick<Inserted, 'id' | 'type' | 'title' | 'body' | 'link' | 'data' | 'created_at'> & { read_at?: Date | null },
  emailStatus: EmailStatus | null,
): NotificationDto {
  return {
    id: r.id,
    type: r.type,
    title: r.title,
    body: r.body,
    link: r.link,
    data: r.data,
    read: !!r.read_at,
    read_at: r.read_at ? new Date(r.read_at).toISOString() : null,
    email_status: emailStatus,
    created_at: new Date(r.created_at).toISOString(),
  };
}

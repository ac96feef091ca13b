import type { EntityManager } from 'typeorm';
import type { NotificationType, OutboxEvent } from '@atrium/platform';

/** One recipient in one organization. */
export interface Recipient {
  organizationId: string;
  userId: string;
}

/**
 * Who a type notifies for an event, and in which organizations: the event's organization, or for an account-wide
 * notice every organization the user is an active member of (none: no notice and no mail; such an account cannot sign
 * in either). An event of an organization-scoped type that names no organization notifies nobody.
 */
export async function recipientsOf(type: NotificationType, event: OutboxEvent, em: EntityManager): Promise<Recipient[]> {
  const userIds = await userIdsOf(type, event, em);
  if (!userIds.length) return [];
  if (type.accountWide) {
    const rows: Array<{ organization_id: string; user_id: string }> = await em.query(
      `SELECT organization_id, user_id FROM memberships WHERE user_id = ANY ($1::uuid[]) AND status = 'active'
        ORDER BY user_id, organization_id`,
      [userIds],
    );
    return rows.map((r) => ({ organizationId: r.organization_id, userId: r.user_id }));
  }
  const organizationId = event.organizationId;
  return organizationId ? userIds.map((userId) => ({ organizationId, userId })) : [];
}

async function userIdsOf(type: NotificationType, event: OutboxEvent, em: EntityManager): Promise<string[]> {
  const { recipients } = type;
  if (typeof recipients === 'function') return [...new Set(await recipients(event, em))];
  if (!event.organizationId) return [];
  const rows: Array<{ user_id: string }> = await em.query(
    `SELECT m.user_id FROM memberships m
       JOIN roles r ON r.id = m.role_id
       JOIN users u ON u.id = m.user_id
      WHERE m.organization_id = $1 AND m.status = 'active' AND u.status = 'active' AND $2 = ANY (r.permissions)
      ORDER BY m.user_id`,
    [event.organizationId, recipients.permission],
  );
  return rows.map((r) => r.user_id).filter((id) => !(recipients.exceptActor && id === event.actorId));
}

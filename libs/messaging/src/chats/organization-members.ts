import type { EntityManager } from 'typeorm';
import { MessagingError } from '../messaging.errors.js';

/** Refuses (400 naming them) every id that is not an active member with an active account in the organization. */
export async function assertOrganizationMembers(em: EntityManager, organizationId: string, userIds: string[]): Promise<void> {
  if (!userIds.length) return;
  const rows: Array<{ user_id: string }> = await em.query(
    `SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.organization_id = $1 AND m.user_id = ANY ($2::uuid[]) AND m.status = 'active' AND u.status = 'active'`,
    [organizationId, userIds],
  );
  const found = new Set(rows.map((r) => r.user_id));
  const missing = userIds.filter((id) => !found.has(id.toLowerCase()));
  if (missing.length) {
    throw MessagingError.not_organization_members(`Not active members of this organization: ${missing.join(', ')}`, { user_ids: missing });
  }
}

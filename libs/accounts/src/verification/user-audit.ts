import type { EntityManager } from 'typeorm';
import type { AuditEntry, AuditWriter } from '@atrium/audit';
import { type RequestContext, withTenant } from '@atrium/platform';
import type { UserMemberships } from '@atrium/organizations';

/**
 * Records an account-level change (no organization in the context, e.g. a password reset by mail)
 * in the trail of every organization the user is an active member of, inside the caller's transaction.
 */
export async function auditForUser(
  audit: AuditWriter,
  memberships: UserMemberships,
  em: EntityManager,
  ctx: RequestContext,
  userId: string,
  entry: Omit<AuditEntry, 'actorUserId'>,
): Promise<void> {
  for (const view of await memberships.activeFor(userId, em)) {
    const organizationId = view.organization.id;
    await withTenant(organizationId, () => audit.record(em, ctx.withOrganization(organizationId, []), { ...entry, actorUserId: userId }));
  }
}

import type { EntityManager } from 'typeorm';
import { Organization } from '@atrium/organizations';

/** A member's role in an organization changed. */
export const MEMBER_ROLE_CHANGED = 'member.role_changed';
/** A member lost an organization (revoked or removed). */
export const MEMBER_REVOKED = 'member.revoked';

/** `member.role_changed`: pushed to the member (`user:` room); names carry what a notification tells them. */
export interface MemberRoleChangedPayload {
  user_id: string;
  organization_id: string;
  organization_name: string;
  /** The new role's slug. */
  role: string;
  role_name: string;
  previous_role_name: string;
}

/** `member.revoked`: the member lost this organization (their account and other memberships stay). */
export interface MemberRevokedPayload {
  user_id: string;
  organization_id: string;
  organization_name: string;
  reason: string | null;
}

/** The organization's name for an event that leaves it (the member can no longer look it up). */
export async function organizationName(em: EntityManager, organizationId: string): Promise<string> {
  return (await em.getRepository(Organization).findOneByOrFail({ id: organizationId })).name;
}

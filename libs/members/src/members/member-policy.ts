import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type RequestContext, TenantRepository } from '@atrium/platform';
import { Membership, UserMemberships, OWNER_ROLE, Role } from '@atrium/organizations';
import { User } from '@atrium/accounts';
import { MembersError } from '../members.errors.js';

/**
 * Rules every change to a membership obeys, checked inside the change's transaction after `lock`:
 * an organization keeps an active owner, and an account shared with other organizations is theirs too.
 */
@Injectable()
export class MemberPolicy {
  constructor(private readonly directory: UserMemberships) {}

  /** Serializes membership changes in one organization until the transaction ends (no two "last owner" demotions). */
  async lock(em: EntityManager, ctx: RequestContext): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`members:${ctx.requireOrganizationId()}`]);
  }

  /** 409 `last_owner` unless an active owner other than `userId` remains. */
  async assertOwnerRemains(em: EntityManager, ctx: RequestContext, userId: string): Promise<void> {
    const others = await TenantRepository.for(em, Membership, 'Membership')
      .query(ctx, 'm')
      .innerJoin(Role, 'r', 'r.id = m.role_id')
      .innerJoin(User, 'u', 'u.id = m.user_id')
      .andWhere(`r.slug = :owner AND r.built_in AND m.status = 'active' AND u.status = 'active' AND m.user_id <> :userId`, {
        owner: OWNER_ROLE,
        userId,
      })
      .getCount();
    if (!others) throw MembersError.last_owner();
  }

  /**
   * Profile, email and account status belong to the person, not to one organization. An administrator may
   * change them only while the account belongs to no other organization; otherwise 409 `account_shared`.
   */
  async assertAccountManagedHere(em: EntityManager, ctx: RequestContext, userId: string): Promise<void> {
    const organizationId = ctx.requireOrganizationId();
    const elsewhere = (await this.directory.activeFor(userId, em)).filter((v) => v.organization.id !== organizationId);
    if (elsewhere.length) {
      throw MembersError.account_shared(
        'This account also belongs to another organization, so only its owner can change its name, email or status; ' +
          'you can change their role here or revoke their access',
      );
    }
  }
}

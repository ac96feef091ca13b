import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { acrossTenants } from '@atrium/platform';
import { Organization } from '../organizations/organization.entity.js';
import { Role } from '../roles/role.entity.js';
import { Membership } from './membership.entity.js';

export interface MembershipView {
  membership: Membership;
  organization: Organization;
  role: Role;
}

/** Reads a user's memberships across organizations (the one place that crosses tenants, by user id). */
@Injectable()
export class UserMemberships {
  constructor(private readonly dataSource: DataSource) {}

  /** Active memberships, most recently used first: across tenants (row-level security), keyed by the account. */
  async activeFor(userId: string, em: EntityManager = this.dataSource.manager): Promise<MembershipView[]> {
    const rows = await acrossTenants(() =>
      em
        .getRepository(Membership)
        .createQueryBuilder('m')
        .innerJoinAndMapOne('m.organization', Organization, 'o', 'o.id = m.organization_id')
        .innerJoinAndMapOne('m.role', Role, 'r', 'r.id = m.role_id')
        .where('m.user_id = :userId AND m.status = :status', { userId, status: 'active' })
        .andWhere("o.status = 'active'")
        .orderBy('m.last_used_at', 'DESC', 'NULLS LAST')
        .addOrderBy('m.created_at', 'ASC')
        .getMany(),
    );
    return rows.map((m) => {
      const { organization, role } = m as Membership & { organization: Organization; role: Role };
      return { membership: m, organization, role };
    });
  }

  async activeIn(userId: string, organizationId: string, em?: EntityManager): Promise<MembershipView | undefined> {
    return (await this.activeFor(userId, em)).find((v) => v.organization.id === organizationId);
  }

  async markUsed(membershipId: string): Promise<void> {
    await this.dataSource.getRepository(Membership).update({ id: membershipId }, { lastUsedAt: new Date() });
  }
}

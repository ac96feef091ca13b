import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type RequestContext, TenantRepository } from '@atrium/platform';
import { Membership, OrganizationStatsRegistry } from '@atrium/organizations';
import { User } from '@atrium/accounts';

const ACTIVE_WINDOW = `interval '30 days'`;

/** Adds the account-level member figures (active in the last 30 days, suspended) to the organization stats. */
@Injectable()
export class MemberStatistics implements OnModuleInit {
  constructor(private readonly stats: OrganizationStatsRegistry) {}

  onModuleInit(): void {
    this.stats.register({ key: 'active_members', collect: (ctx, em) => this.active(ctx, em) });
    this.stats.register({ key: 'suspended_members', collect: (ctx, em) => this.suspended(ctx, em) });
  }

  private active(ctx: RequestContext, em: EntityManager): Promise<number> {
    return TenantRepository.for(em, Membership, 'Membership')
      .query(ctx, 'm')
      .innerJoin(User, 'u', `u.id = m.user_id AND u.status = 'active'`)
      .andWhere(`m.status = 'active'`)
      .andWhere(
        `(m.last_used_at > now() - ${ACTIVE_WINDOW} OR EXISTS (
          SELECT 1 FROM sessions s
           WHERE s.user_id = m.user_id AND s.organization_id = m.organization_id AND s.last_used_at > now() - ${ACTIVE_WINDOW}))`,
      )
      .getCount();
  }

  private suspended(ctx: RequestContext, em: EntityManager): Promise<number> {
    return TenantRepository.for(em, Membership, 'Membership')
      .query(ctx, 'm')
      .innerJoin(User, 'u', `u.id = m.user_id AND u.status = 'suspended'`)
      .andWhere(`m.status = 'active'`)
      .getCount();
  }
}

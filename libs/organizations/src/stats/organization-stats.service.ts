import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type RequestContext, TenantRepository, UsageRegistry } from '@atrium/platform';
import { Membership } from '../memberships/membership.entity.js';
import { Role } from '../roles/role.entity.js';
import { MEMBERS_METER, STORAGE_BYTES_METER } from './meters.js';
import { OrganizationStatsRegistry } from './organization-stats.registry.js';

export type OrganizationStats = Record<string, number | string | Record<string, number>>;

/** The organization's figures: its own (members, roles, storage) plus every registered contributor's. */
@Injectable()
export class OrganizationStatsService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: OrganizationStatsRegistry,
    private readonly usage: UsageRegistry,
  ) {}

  /** Active memberships are what a package's member limit counts. */
  onModuleInit(): void {
    this.usage.register({
      resource: MEMBERS_METER,
      measure: (ctx, em) => TenantRepository.for(em, Membership, 'Membership').count(ctx, { status: 'active' }),
    });
  }

  async stats(ctx: RequestContext): Promise<OrganizationStats> {
    const em = this.dataSource.manager;
    const memberships = TenantRepository.for(em, Membership, 'Membership');
    const roles = TenantRepository.for(em, Role, 'Role');
    const [members, revokedMembers, roleCount, customRoles, storage] = await Promise.all([
      memberships.count(ctx, { status: 'active' }),
      memberships.count(ctx, { status: 'revoked' }),
      roles.count(ctx),
      roles.count(ctx, { builtIn: false }),
      this.usage.measure(STORAGE_BYTES_METER, ctx, em),
    ]);
    const stats: OrganizationStats = {
      members,
      revoked_members: revokedMembers,
      roles: roleCount,
      custom_roles: customRoles,
      storage_used_bytes: storage,
    };
    for (const c of this.registry.all()) stats[c.key] = await c.collect(ctx, em);
    stats.generated_at = new Date().toISOString();
    return stats;
  }
}

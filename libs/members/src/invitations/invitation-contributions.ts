import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull, MoreThan } from 'typeorm';
import { DataExportRegistry, type RequestContext, TenantRepository, UsageRegistry } from '@atrium/platform';
import { OrganizationStatsRegistry, RoleGrantsRegistry, MEMBERS_METER } from '@atrium/organizations';
import { User } from '@atrium/accounts';
import { Invitation } from './invitation.entity.js';

const open = () => ({ acceptedAt: IsNull(), expiresAt: MoreThan(new Date()) });

/** What invitations add elsewhere: a seat each towards the member limit, a stats figure, and the user's data export. */
@Injectable()
export class InvitationContributions implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly usage: UsageRegistry,
    private readonly stats: OrganizationStatsRegistry,
    private readonly exports: DataExportRegistry,
    private readonly roleGrants: RoleGrantsRegistry,
  ) {}

  onModuleInit(): void {
    const countOpen = TenantRepository.for(this.dataSource, Invitation, 'Invitation');
    this.usage.register({ resource: MEMBERS_METER, measure: (ctx, em) => countOpen.with(em).count(ctx, open()) });
    this.stats.register({ key: 'pending_invitations', collect: (ctx, em) => countOpen.with(em).count(ctx, open()) });
    this.exports.register({ key: 'invitations', collect: (userId) => this.forUser(userId) });
    this.roleGrants.register({ key: 'pending_invitations', countByRole: (ctx, em) => this.openByRole(ctx, em) });
  }

  /** Open invitations of the context's organization, per role they would grant. */
  private async openByRole(ctx: RequestContext, em: EntityManager): Promise<Map<string, number>> {
    const rows = await TenantRepository.for(em, Invitation, 'Invitation')
      .query(ctx, 'i')
      .select('i.role_id', 'role_id')
      .addSelect('count(*)::int', 'n')
      .andWhere('i.accepted_at IS NULL AND i.expires_at > now()')
      .groupBy('i.role_id')
      .getRawMany<{ role_id: string; n: number }>();
    return new Map(rows.map((r) => [r.role_id, r.n]));
  }

  /** Invitations addressed to the user's current email or accepted by them, across organizations (never tokens). */
  private async forUser(userId: string): Promise<unknown[]> {
    const user = await this.dataSource.getRepository(User).findOne({ where: { id: userId } });
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT i.id, o.name AS organization_name, i.organization_id, i.email, r.name AS role,
              i.created_at, i.expires_at, i.accepted_at
         FROM invitations i
         JOIN organizations o ON o.id = i.organization_id
         JOIN roles r ON r.id = i.role_id
        WHERE i.email = $1 OR i.accepted_user_id = $2
        ORDER BY i.created_at`,
      [user?.email ?? '', userId],
    );
    return rows;
  }
}

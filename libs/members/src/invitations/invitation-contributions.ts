import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull, MoreThan } from 'typeorm';
import { DataExportRegistry, type RequestContext, TenantRepository, UsageRegistry } from '@atrium/platform';
import { OrganizationStatsRegistry, RoleGrantsRegistry, MEMBERS_METER } from '@atrium/organizations';
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

  /**
   * Invitations addressed to the user's email once it is verified, or accepted by them, across organizations
   * (never tokens). An address typed at sign-up or waiting in an email change proves nothing, so it shows
   * nothing of what other organizations sent to it.
   */
  private async forUser(userId: string): Promise<unknown[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT i.id, o.name AS organization_name, i.organization_id, i.email, r.name AS role,
              i.created_at, i.expires_at, i.accepted_at
         FROM users u
         JOIN invitations i ON i.accepted_user_id = u.id OR (i.email = u.email AND u.email_verified_at IS NOT NULL)
         JOIN organizations o ON o.id = i.organization_id
         JOIN roles r ON r.id = i.role_id
        WHERE u.id = $1
        ORDER BY i.created_at`,
      [userId],
    );
    return rows;
  }
}

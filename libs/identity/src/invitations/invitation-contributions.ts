import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, IsNull, MoreThan } from 'typeorm';
import { DataExportRegistry, TenantRepository, USAGE, UsageRegistry } from '@atrium/platform';
import { OrganizationStatsRegistry } from '@atrium/organizations';
import { User } from '../users/user.entity.js';
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
  ) {}

  onModuleInit(): void {
    const countOpen = TenantRepository.for(this.dataSource, Invitation, 'Invitation');
    this.usage.register({ resource: USAGE.members, measure: (ctx, em) => countOpen.with(em).count(ctx, open()) });
    this.stats.register({ key: 'pending_invitations', collect: (ctx, em) => countOpen.with(em).count(ctx, open()) });
    this.exports.register({ key: 'invitations', collect: (userId) => this.forUser(userId) });
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

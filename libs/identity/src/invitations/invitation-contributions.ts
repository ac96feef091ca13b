import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, IsNull, MoreThan } from 'typeorm';
import { DataExportRegistry, TenantRepository, USAGE, UsageRegistry } from '@atrium/platform';
import { OrganizationStatsRegistry } from '@atrium/organizations';
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

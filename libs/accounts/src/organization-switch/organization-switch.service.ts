import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { notFound, type RequestContext, withTenant } from '@atrium/platform';
import { type MembershipView, UserMemberships } from '@atrium/organizations';
import type { LoginResponseDto } from '../sign-in/dto/login.dto.js';
import { loginResponse } from '../sign-in/login-response.js';
import { describeDevice, SessionIssuer } from '@atrium/access';
import { AuditWriter } from '@atrium/audit';
import { SessionService } from '@atrium/access';
import { User } from '../users/user.entity.js';
import { AccountsError } from '../accounts.errors.js';

/**
 * Moves a signed-in device to another of the user's organizations: a new session acting there replaces the
 * current one, whose tokens (and sockets, joined to the old organization's room) end at once.
 */
@Injectable()
export class OrganizationSwitchService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly memberships: UserMemberships,
    private readonly issuer: SessionIssuer,
    private readonly sessions: SessionService,
    private readonly audit: AuditWriter,
  ) {}

  async switchTo(ctx: RequestContext, organizationId: string): Promise<LoginResponseDto> {
    const userId = ctx.requireUserId();
    const currentSession = ctx.meta.sessionId;
    if (!currentSession) throw AccountsError.no_session('Only a signed-in session can switch organization');
    const view = await this.memberships.activeIn(userId, organizationId);
    if (!view) throw notFound('Organization');
    const user = await this.dataSource.getRepository(User).findOneOrFail({ where: { id: userId } });

    // Row-level security: the new session, its audit entry and the membership's use are in the organization switched to.
    return withTenant(view.organization.id, () => this.switchIn(ctx, view, user, currentSession));
  }

  private async switchIn(ctx: RequestContext, view: MembershipView, user: User, currentSession: string): Promise<LoginResponseDto> {
    const userId = user.id;
    const organizationId = view.organization.id;
    const tokens = await this.dataSource.transaction(async (em) => {
      const tokens = await this.issuer.open({ userId, organizationId, ip: ctx.meta.ip, userAgent: ctx.meta.userAgent }, em);
      await this.sessions.revoke([currentSession], 'organization_switched', em);
      // In the organization the device now acts for: a session opened there, as a sign-in would record it.
      await this.audit.record(em, ctx.withOrganization(view.organization.id, []), {
        action: 'session.created',
        resourceType: 'session',
        resourceId: tokens.sessionId,
        target: describeDevice(ctx.meta.userAgent ?? null),
        metadata: { via: 'organization_switch', replaced_session_id: currentSession },
      });
      return tokens;
    });
    await this.memberships.markUsed(view.membership.id);
    return loginResponse({ access_token: tokens.access_token, refresh_token: tokens.refresh_token }, user, view);
  }
}

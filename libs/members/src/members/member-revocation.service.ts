import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { Outbox, type RequestContext, TenantRepository } from '@atrium/platform';
import { Membership } from '@atrium/organizations';
import { assertHeld, isOwnerRole } from '@atrium/organizations';
import { SessionService } from '@atrium/access';
import type { MemberView } from './dto/member.dto.js';
import { MemberDirectory } from './member-directory.js';
import { MEMBER_REVOKED, type MemberRevokedPayload, organizationName } from './member-events.js';
import { MemberPolicy } from './member-policy.js';
import { MembersError } from '../members.errors.js';

/** Removes a member's access to this organization; the account and its other memberships are untouched. */
@Injectable()
export class MemberRevocationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly members: MemberDirectory,
    private readonly policy: MemberPolicy,
    private readonly sessions: SessionService,
    private readonly audit: AuditWriter,
    private readonly outbox: Outbox,
  ) {}

  /**
   * The membership is marked revoked with its reason, and the member's sessions acting for this organization
   * end at once (any other request naming it with X-Organization-Id fails on its membership check). The
   * `member.revoked` and `session.revoked` events are written with the change; their delivery ends the member's
   * sockets on every instance.
   */
  async revoke(ctx: RequestContext, userId: string, reason: string | undefined): Promise<MemberView> {
    const organizationId = ctx.requireOrganizationId();
    await this.dataSource.transaction(async (em) => {
      await this.policy.lock(em, ctx);
      const view = await this.members.get(ctx, userId, em);
      if (view.membership.status !== 'active') throw MembersError.membership_already_revoked();
      if (userId === ctx.actingUserId) throw MembersError.cannot_revoke_self();
      assertHeld(ctx, view.role.permissions, "This member's role has");
      if (isOwnerRole(view.role)) await this.policy.assertOwnerRemains(em, ctx, userId);

      const m = view.membership;
      m.status = 'revoked';
      m.revokedAt = new Date();
      m.revokeReason = reason?.trim() || null;
      await TenantRepository.for(em, Membership, 'Membership').save(ctx, m);
      const ended = await this.sessions.revokeForMembership(userId, organizationId, 'membership_revoked', em);
      await this.audit.record(em, ctx, {
        action: 'member.revoked',
        resourceType: 'user',
        resourceId: userId,
        target: view.user.email,
        before: { status: 'active', role: view.role.slug },
        after: { status: 'revoked' },
        metadata: { reason: m.revokeReason, sessions_ended: ended.length },
      });
      // Last: an organization's event holds its ordering lock until the commit.
      this.outbox.add(em, {
        name: MEMBER_REVOKED,
        organizationId,
        actorId: ctx.userId,
        payload: {
          user_id: userId,
          organization_id: organizationId,
          organization_name: await organizationName(em, organizationId),
          reason: reason ?? null,
        } satisfies MemberRevokedPayload,
        rooms: [`user:${userId}`, `org:${organizationId}`],
        requestId: ctx.requestId,
      });
    });
    return this.members.get(ctx, userId);
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull, LessThanOrEqual, MoreThan, Not } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import {
  AppConfig,
  Entitlements,
  isUniqueViolation,
  MailService,
  type Page,
  type RequestContext,
  TenantRepository,
  toPage,
} from '@atrium/platform';
import { Membership, OrganizationProfileService, type Role, MEMBERS_METER } from '@atrium/organizations';
import { assertHeld, RoleResolver } from '@atrium/organizations';
import { hashToken, newOpaqueToken } from '@atrium/access';
import { User } from '@atrium/accounts';
import type { CreateInvitationDto, InvitationQueryDto } from './dto/invitation.dto.js';
import { Invitation } from './invitation.entity.js';
import { invitationMail } from './invitation.mail.js';
import { MembersError } from '../members.errors.js';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface InvitationView {
  invitation: Invitation;
  role: Role;
}

const snapshot = (i: Invitation, role: Role) => ({ email: i.email, role: role.slug, expires_at: i.expiresAt });

/** Inviting people into the current organization: send, list, resend, cancel. */
@Injectable()
export class InvitationService {
  private readonly invitations: TenantRepository<Invitation>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly roles: RoleResolver,
    private readonly organizations: OrganizationProfileService,
    private readonly entitlements: Entitlements,
    private readonly mail: MailService,
    private readonly config: AppConfig,
    private readonly audit: AuditWriter,
  ) {
    this.invitations = TenantRepository.for(dataSource, Invitation, 'Invitation');
  }

  /**
   * Mails a seven-day, single-use link. An open invitation to the same address is replaced; an active member
   * is a 409; the invitation holds a seat, so the package member limit applies now. The mail is queued in the
   * same transaction (its link exists if and only if the invitation does); the event names no token.
   */
  async create(ctx: RequestContext, dto: CreateInvitationDto): Promise<InvitationView> {
    const role = dto.role_id ? await this.roles.resolve(ctx, dto.role_id) : await this.roles.defaultRole(ctx);
    assertHeld(ctx, role.permissions, 'You cannot grant a role with');
    const token = newOpaqueToken();
    const sender = await this.sender(ctx);
    const invitation = await this.dataSource
      .transaction(async (em) => {
        await this.assertNotMember(em, ctx, dto.email);
        const repo = this.invitations.with(em);
        const replaced = await repo.find(ctx, { where: { email: dto.email, acceptedAt: IsNull() } });
        for (const old of replaced) await repo.remove(ctx, old);
        const saved = await repo.create(ctx, {
          email: dto.email,
          roleId: role.id,
          tokenHash: hashToken(token),
          invitedBy: ctx.userId ?? null,
          expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
        });
        // Counted after the insert and under the limit lock: this invitation is one of the seats in use.
        await this.entitlements.assertWithinLimit(ctx, MEMBERS_METER, 0, em);
        await this.audit.record(em, ctx, {
          action: 'invitation.created',
          resourceType: 'invitation',
          resourceId: saved.id,
          target: saved.email,
          after: snapshot(saved, role),
          metadata: { replaced: replaced.length },
        });
        await this.mailIn(em, ctx, sender, saved, role, token);
        return saved;
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err, 'uq_invitations_open_email')) throw MembersError.invitation_conflict();
        throw err;
      });
    return { invitation, role };
  }

  async list(ctx: RequestContext, query: InvitationQueryDto): Promise<Page<InvitationView>> {
    const now = new Date();
    const where =
      query.status === 'accepted'
        ? { acceptedAt: Not(IsNull()) }
        : query.status === 'pending'
          ? { acceptedAt: IsNull(), expiresAt: MoreThan(now) }
          : query.status === 'expired'
            ? { acceptedAt: IsNull(), expiresAt: LessThanOrEqual(now) }
            : {};
    const page = await this.invitations.findPage(ctx, query, where);
    const roles = await this.rolesOf(ctx, page.data);
    return toPage(
      page.data.map((invitation) => ({ invitation, role: roles.get(invitation.roleId)! })),
      page.total,
      query,
    );
  }

  async get(ctx: RequestContext, id: string): Promise<InvitationView> {
    const invitation = await this.invitations.getById(ctx, id);
    return { invitation, role: await this.roles.resolve(ctx, invitation.roleId) };
  }

  /** A fresh link and seven more days; the previous link stops working. Accepted invitations are final (409). */
  async resend(ctx: RequestContext, id: string): Promise<InvitationView> {
    const token = newOpaqueToken();
    const sender = await this.sender(ctx);
    return this.dataSource.transaction(async (em) => {
      const repo = this.invitations.with(em);
      const invitation = await repo.getById(ctx, id);
      if (invitation.acceptedAt) throw MembersError.invitation_used();
      const role = await this.roles.resolve(ctx, invitation.roleId, em);
      assertHeld(ctx, role.permissions, 'You cannot grant a role with');
      await this.assertNotMember(em, ctx, invitation.email);
      invitation.tokenHash = hashToken(token);
      invitation.expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
      const saved = await repo.save(ctx, invitation);
      await this.entitlements.assertWithinLimit(ctx, MEMBERS_METER, 0, em);
      await this.audit.record(em, ctx, {
        action: 'invitation.resent',
        resourceType: 'invitation',
        resourceId: id,
        target: saved.email,
        after: snapshot(saved, role),
      });
      await this.mailIn(em, ctx, sender, saved, role, token);
      return { invitation: saved, role };
    });
  }

  /** Cancels the invitation (its link stops working) or removes an old one from the list. */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const repo = this.invitations.with(em);
      const invitation = await repo.getById(ctx, id);
      await repo.remove(ctx, invitation);
      await this.audit.record(em, ctx, {
        action: 'invitation.deleted',
        resourceType: 'invitation',
        resourceId: id,
        target: invitation.email,
        before: { email: invitation.email, status: invitation.status },
      });
    });
  }

  private async assertNotMember(em: EntityManager, ctx: RequestContext, email: string): Promise<void> {
    const member = await TenantRepository.for(em, Membership, 'Membership')
      .query(ctx, 'm')
      .innerJoin(User, 'u', 'u.id = m.user_id')
      .andWhere(`u.email = :email AND m.status = 'active'`, { email })
      .getExists();
    if (member) throw MembersError.already_member(`${email} is already a member of this organization`);
  }

  /** Who the mail says invites: read before the transaction, which then holds no lock while it waits. */
  private async sender(ctx: RequestContext): Promise<{ organizationName: string; inviterName: string | null }> {
    const [organization, inviter] = await Promise.all([
      this.organizations.get(ctx),
      ctx.userId ? this.dataSource.getRepository(User).findOne({ where: { id: ctx.userId } }) : null,
    ]);
    const inviterName = inviter ? [inviter.firstName, inviter.lastName].filter(Boolean).join(' ') || inviter.email : null;
    return { organizationName: organization.name, inviterName };
  }

  /** Queues the invitation mail in `em`'s transaction: the link's only copy in clear waits in its delivery row. */
  private async mailIn(
    em: EntityManager,
    ctx: RequestContext,
    sender: { organizationName: string; inviterName: string | null },
    invitation: Invitation,
    role: Role,
    token: string,
  ): Promise<void> {
    const message = invitationMail({
      to: invitation.email,
      ...sender,
      roleName: role.name,
      publicUrl: this.config.http.publicUrl,
      token,
      expiresAt: invitation.expiresAt,
    });
    await this.mail.sendIn(em, ctx, message, `invitation:${invitation.id}:${hashToken(token).slice(0, 16)}`);
  }

  private async rolesOf(ctx: RequestContext, invitations: Invitation[]): Promise<Map<string, Role>> {
    const ids = [...new Set(invitations.map((i) => i.roleId))];
    const roles = await Promise.all(ids.map((id) => this.roles.resolve(ctx, id)));
    return new Map(roles.map((r) => [r.id, r]));
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import {
  acrossTenants,
  Entitlements,
  isUniqueViolation,
  Outbox,
  PlatformError,
  RequestContext,
  TenantRepository,
  withTenant,
} from '@atrium/platform';
import { Membership, Organization, Role, MEMBERS_METER } from '@atrium/organizations';
import { PasswordService } from '@atrium/accounts';
import { hashToken, looksLikeOpaqueToken } from '@atrium/access';
import { User } from '@atrium/accounts';
import type { AcceptInvitationDto } from './dto/invitation.dto.js';
import { Invitation } from './invitation.entity.js';
import { INVITATION_ACCEPTED, type InvitationAcceptedPayload } from './invitation-events.js';
import { AccountsError } from '@atrium/accounts';
import { MembersError } from '../members.errors.js';

export interface LiveInvitation {
  invitation: Invitation;
  organization: Organization;
  role: Role;
}

export interface AcceptedInvitation extends LiveInvitation {
  userId: string;
  accountCreated: boolean;
}

/** What whoever holds an invitation link may do: see it, and accept it (creating the account if needed). */
@Injectable()
export class InvitationAcceptanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly entitlements: Entitlements,
    private readonly audit: AuditWriter,
    private readonly outbox: Outbox,
  ) {}

  /** The open invitation for a token: 404 when unknown or malformed, 409 when used or expired. */
  async find(token: unknown, em: EntityManager = this.dataSource.manager, lock = false): Promise<LiveInvitation> {
    if (!looksLikeOpaqueToken(token)) throw MembersError.invitation_not_found();
    // The token is the only key a public caller has: this lookup is by its hash, across organizations (row-level
    // security); everything after it is in the invitation's organization.
    const invitation = await acrossTenants(() =>
      em
        .getRepository(Invitation)
        .findOne({ where: { tokenHash: hashToken(token) }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) }),
    );
    if (!invitation) throw MembersError.invitation_not_found();
    if (invitation.acceptedAt) throw MembersError.invitation_used();
    if (invitation.expiresAt <= new Date()) throw MembersError.invitation_expired();
    const [organization, role] = await withTenant(invitation.organizationId, () =>
      Promise.all([
        em.getRepository(Organization).findOneOrFail({ where: { id: invitation.organizationId } }),
        em.getRepository(Role).findOneOrFail({ where: { id: invitation.roleId, organizationId: invitation.organizationId } }),
      ]),
    );
    return { invitation, organization, role };
  }

  async preview(token: string): Promise<LiveInvitation & { accountExists: boolean }> {
    const live = await this.find(token);
    const accountExists = await this.dataSource.getRepository(User).exists({ where: { email: live.invitation.email } });
    return { ...live, accountExists };
  }

  /**
   * For an address without an account: creates it (verified: the link proved the mailbox) from the name and
   * password given. For an account with this verified address: only that account, signed in, may accept (401
   * otherwise). An account whose address is not verified has not shown the address is its own: it cannot
   * accept until it verifies it (403), and nobody else is told to sign in to it (409).
   */
  async accept(ctx: RequestContext, token: string, dto: AcceptInvitationDto): Promise<AcceptedInvitation> {
    const { invitation } = await this.find(token);
    return withTenant(invitation.organizationId, () => this.acceptIn(ctx, token, invitation, dto));
  }

  private async acceptIn(
    ctx: RequestContext,
    token: string,
    invitation: Invitation,
    dto: AcceptInvitationDto,
  ): Promise<AcceptedInvitation> {
    const existing = await this.dataSource.getRepository(User).findOne({ where: { email: invitation.email } });
    if (existing) this.assertSignedInAs(ctx, existing);
    const passwordHash = existing ? undefined : await this.newAccountPassword(invitation.email, dto);

    return this.dataSource
      .transaction(async (em) => {
        const live = await this.find(token, em, true);
        const scoped = new RequestContext(ctx.requestId, ctx.userId, live.invitation.organizationId, new Set(), ctx.meta);
        const user = existing ?? (await this.createAccount(em, live.invitation.email, dto, passwordHash!));
        await this.join(em, scoped, user.id, live.role.id);
        live.invitation.acceptedAt = new Date();
        live.invitation.acceptedUserId = user.id;
        await TenantRepository.for(em, Invitation, 'Invitation').save(scoped, live.invitation);
        // The invitation's seat becomes a member's seat; a package downgraded meanwhile can still refuse it.
        await this.entitlements.assertWithinLimit(scoped, MEMBERS_METER, 0, em);
        await this.audit.record(em, scoped, {
          action: 'invitation.accepted',
          resourceType: 'invitation',
          resourceId: live.invitation.id,
          target: live.invitation.email,
          actorUserId: user.id,
          after: { email: live.invitation.email, role: live.role.slug, account_created: !existing },
        });
        // Last: an organization's event holds its ordering lock until the commit.
        const organizationId = live.invitation.organizationId;
        this.outbox.add(em, {
          name: INVITATION_ACCEPTED,
          organizationId,
          actorId: user.id,
          payload: {
            invitation_id: live.invitation.id,
            user_id: user.id,
            email: user.email,
            organization_id: organizationId,
            organization_name: live.organization.name,
            role_name: live.role.name,
            invited_by: live.invitation.invitedBy,
          } satisfies InvitationAcceptedPayload,
          rooms: [`org:${organizationId}`],
          requestId: ctx.requestId,
        });
        return { ...live, userId: user.id, accountCreated: !existing };
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err, 'uq_users_email'))
          throw AccountsError.email_taken('An account with this email was just created; sign in and accept again');
        throw err;
      });
  }

  private assertSignedInAs(ctx: RequestContext, user: User): void {
    if (!user.emailVerifiedAt) {
      if (ctx.userId === user.id) {
        throw MembersError.email_not_verified();
      }
      throw MembersError.email_held_unverified();
    }
    if (!ctx.userId) {
      throw MembersError.sign_in_to_accept();
    }
    if (ctx.userId !== user.id) {
      throw MembersError.invitation_for_another_account();
    }
  }

  private async newAccountPassword(email: string, dto: AcceptInvitationDto): Promise<string> {
    const missing = (['first_name', 'last_name', 'password'] as const).filter((f) => !dto[f]);
    if (missing.length) {
      throw PlatformError.validation_failed(
        `${missing.join(', ')} required to create your account`,
        missing.map((field) => ({ field, problems: [`${field} is required to create an account`] })),
      );
    }
    this.passwords.assertStrong(dto.password!, { email });
    return this.passwords.hash(dto.password!);
  }

  private async createAccount(em: EntityManager, email: string, dto: AcceptInvitationDto, passwordHash: string): Promise<User> {
    const repo = em.getRepository(User);
    return repo.save(
      repo.create({ email, passwordHash, firstName: dto.first_name!, lastName: dto.last_name!, emailVerifiedAt: new Date() }),
    );
  }

  /** A new membership, or a revoked one brought back with the invited role; an active member is a 409. */
  private async join(em: EntityManager, ctx: RequestContext, userId: string, roleId: string): Promise<void> {
    const memberships = TenantRepository.for(em, Membership, 'Membership');
    const current = await memberships.findOne(ctx, { userId });
    if (current?.status === 'active') throw MembersError.already_member('You are already a member of this organization');
    if (!current) {
      await memberships.create(ctx, { userId, roleId, status: 'active' });
      return;
    }
    Object.assign(current, { status: 'active', roleId, revokedAt: null, revokeReason: null });
    await memberships.save(ctx, current);
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { Entitlements, isUniqueViolation, Outbox, type RequestContext, TenantRepository } from '@atrium/platform';
import { Membership, type Role, MEMBERS_METER } from '@atrium/organizations';
import { PasswordService } from '@atrium/accounts';
import { assertHeld, isOwnerRole, RoleResolver } from '@atrium/organizations';
import { SessionService } from '@atrium/access';
import { EMAIL_CHANGE_REQUESTED, type EmailChangeRequested, emailChangeOf, stageEmailChange, User } from '@atrium/accounts';
import type { MemberView } from './dto/member.dto.js';
import type { CreateUserDto, UpdateUserDto } from './dto/user-admin.dto.js';
import { MemberDirectory } from './member-directory.js';
import { MEMBER_ROLE_CHANGED, type MemberRoleChangedPayload, organizationName } from './member-events.js';
import { MemberPolicy } from './member-policy.js';
import { AccountsError } from '@atrium/accounts';
import { MembersError } from '../members.errors.js';

const emailTaken = () =>
  AccountsError.email_taken(
    'An account with this email already exists; invite it instead (POST /invitations) to add it to this organization',
  );

const account = (u: User) => ({
  email: u.email,
  pending_email: u.pendingEmail,
  first_name: u.firstName,
  last_name: u.lastName,
  status: u.status,
});

/** Administrators creating accounts in their organization and changing members' accounts and roles. */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly roles: RoleResolver,
    private readonly members: MemberDirectory,
    private readonly policy: MemberPolicy,
    private readonly entitlements: Entitlements,
    private readonly sessions: SessionService,
    private readonly audit: AuditWriter,
    private readonly outbox: Outbox,
  ) {}

  /** A new account that is a member here; an email that already has an account is a 409 (invite it instead). */
  async create(ctx: RequestContext, dto: CreateUserDto): Promise<MemberView> {
    this.passwords.assertStrong(dto.password, { email: dto.email });
    const role = dto.role ? await this.roles.resolve(ctx, dto.role) : await this.roles.defaultRole(ctx);
    assertHeld(ctx, role.permissions, 'You cannot grant a role with');
    if (await this.dataSource.getRepository(User).exists({ where: { email: dto.email } })) throw emailTaken();
    const passwordHash = await this.passwords.hash(dto.password);

    const userId = await this.dataSource
      .transaction(async (em) => {
        await this.policy.lock(em, ctx);
        await this.entitlements.assertWithinLimit(ctx, MEMBERS_METER, 1, em);
        const repo = em.getRepository(User);
        const user = await repo.save(
          repo.create({ email: dto.email, passwordHash, firstName: dto.first_name ?? null, lastName: dto.last_name ?? null }),
        );
        await TenantRepository.for(em, Membership, 'Membership').create(ctx, { userId: user.id, roleId: role.id, status: 'active' });
        await this.audit.record(em, ctx, {
          action: 'user.created',
          resourceType: 'user',
          resourceId: user.id,
          target: user.email,
          after: { ...account(user), role: role.slug },
        });
        // Its subscriber mails the verification link; last, as it holds the organization's ordering lock to the commit.
        this.outbox.add(em, {
          name: 'user.created',
          organizationId: ctx.organizationId,
          actorId: ctx.userId,
          payload: { user_id: user.id, email: dto.email, role: role.slug },
          rooms: [`org:${ctx.requireOrganizationId()}`],
          requestId: ctx.requestId,
        });
        return user.id;
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err, 'uq_users_email')) throw emailTaken();
        throw err;
      });
    return this.members.get(ctx, userId);
  }

  /**
   * Changes the role here and, for an account that belongs to this organization only, its name, email and
   * status. The caller must hold every permission of the member's current and new role. A new email is only
   * pending, as when members change their own: the current address stays in force until the new one is verified.
   */
  async update(ctx: RequestContext, userId: string, dto: UpdateUserDto): Promise<MemberView> {
    await this.dataSource.transaction(async (em) => {
      await this.policy.lock(em, ctx);
      const view = await this.members.get(ctx, userId, em);
      if (view.membership.status !== 'active') throw MembersError.member_revoked();
      assertHeld(ctx, view.role.permissions, "This member's role has");

      const user = view.user;
      const before = { ...account(user), role: view.role.slug };
      const emailChange = emailChangeOf(user, dto.email);
      const accountChanged =
        emailChange !== 'none' ||
        (dto.first_name !== undefined && dto.first_name !== user.firstName) ||
        (dto.last_name !== undefined && dto.last_name !== user.lastName) ||
        (dto.status !== undefined && dto.status !== user.status);
      if (accountChanged) await this.policy.assertAccountManagedHere(em, ctx, userId);
      const suspending = dto.status === 'suspended' && user.status !== 'suspended';
      if (suspending && userId === ctx.actingUserId) throw MembersError.cannot_suspend_self();

      let role: Role = view.role;
      if (dto.role !== undefined) {
        role = await this.roles.resolve(ctx, dto.role, em);
        assertHeld(ctx, role.permissions, 'You cannot grant a role with');
      }
      const losesOwner = isOwnerRole(view.role) && (role.id !== view.role.id || suspending);
      if (losesOwner) await this.policy.assertOwnerRemains(em, ctx, userId);

      if (accountChanged) {
        if (dto.first_name !== undefined) user.firstName = dto.first_name;
        if (dto.last_name !== undefined) user.lastName = dto.last_name;
        if (dto.status !== undefined) user.status = dto.status;
        await stageEmailChange(em, user, dto.email);
        await em.getRepository(User).save(user);
      }
      const roleChanged = role.id !== view.role.id;
      if (roleChanged) {
        view.membership.roleId = role.id;
        await TenantRepository.for(em, Membership, 'Membership').save(ctx, view.membership);
      }
      if (suspending) await this.sessions.revokeAllForUser(userId, 'account_suspended', undefined, em);
      if (accountChanged || roleChanged) {
        await this.audit.record(em, ctx, {
          action: roleChanged && !accountChanged ? 'member.role_changed' : 'user.updated',
          resourceType: 'user',
          resourceId: userId,
          target: user.email,
          before,
          after: { ...account(user), role: role.slug },
        });
      }
      // Last: an organization's events hold its ordering lock until the commit.
      if (emailChange === 'requested') {
        this.outbox.add(em, {
          name: EMAIL_CHANGE_REQUESTED,
          organizationId: ctx.organizationId,
          actorId: ctx.userId,
          payload: { user_id: userId, email: user.pendingEmail! } satisfies EmailChangeRequested,
          requestId: ctx.requestId,
        });
      }
      if (roleChanged) {
        const organizationId = ctx.requireOrganizationId();
        this.outbox.add(em, {
          name: MEMBER_ROLE_CHANGED,
          organizationId,
          actorId: ctx.userId,
          payload: {
            user_id: userId,
            organization_id: organizationId,
            organization_name: await organizationName(em, organizationId),
            role: role.slug,
            role_name: role.name,
            previous_role_name: view.role.name,
          } satisfies MemberRoleChangedPayload,
          rooms: [`user:${userId}`],
          requestId: ctx.requestId,
        });
      }
    });
    return this.members.get(ctx, userId);
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { notFound, Outbox, PlatformError, type RequestContext } from '@atrium/platform';
import { announcePasswordChanged } from '../passwords/password-changed.js';
import { PasswordService } from '../passwords/password.service.js';
import type { ChangePasswordDto } from './dto/change-password.dto.js';
import type { UpdateMeDto } from './dto/update-me.dto.js';
import { EMAIL_CHANGE_REQUESTED, type EmailChangeRequested, emailChangeOf, stageEmailChange } from './email-change.js';
import { User } from './user.entity.js';
import { profileFromJson, SessionService, type UserProfile } from '@atrium/access';
import { AccountsError } from '../accounts.errors.js';

/** The signed-in user's own profile and password. */
@Injectable()
export class MeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
    private readonly outbox: Outbox,
    private readonly audit: AuditWriter,
  ) {}

  /**
   * The signed-in account; with an API key, the account the key acts for (its creator). Answered from the
   * row the authenticator read for this very request when there is one, so it is exactly as fresh.
   */
  async get(ctx: RequestContext): Promise<UserProfile | User> {
    const read = ctx.meta.read;
    if (read) return profileFromJson(read.profileJson);
    const userId = ctx.actingUserId;
    if (!userId) throw PlatformError.unauthorized();
    return this.load(userId);
  }

  private async load(userId: string): Promise<User> {
    const user = await this.dataSource.getRepository(User).findOne({ where: { id: userId } });
    if (!user) throw notFound('User');
    return user;
  }

  /**
   * Profile fields change at once. A new email needs the current password and only becomes pending: the
   * current address stays in force until the link mailed to the new one is used (`user.email_change_requested`
   * mails it, and a notice to the current address). Sending the current address withdraws a pending change.
   */
  async update(ctx: RequestContext, dto: UpdateMeDto): Promise<User> {
    const user = await this.load(ctx.requireUserId());
    const before = profileOf(user);
    const previousPending = user.pendingEmail;
    if (emailChangeOf(user, dto.email) === 'requested') await this.assertPassword(user.id, dto.current_password);
    if (dto.first_name !== undefined) user.firstName = dto.first_name;
    if (dto.last_name !== undefined) user.lastName = dto.last_name;
    if (dto.phone !== undefined) user.phone = dto.phone;
    if (dto.avatar_url !== undefined) user.avatarUrl = dto.avatar_url;
    return this.dataSource.transaction(async (em) => {
      const change = await stageEmailChange(em, user, dto.email);
      const row = await em.getRepository(User).save(user);
      const after = profileOf(row);
      if (ctx.organizationId && JSON.stringify(before) !== JSON.stringify(after)) {
        await this.audit.record(em, ctx, {
          action: 'user.updated',
          resourceType: 'user',
          resourceId: user.id,
          target: row.email,
          before,
          after,
        });
      }
      if (change !== 'none' && ctx.organizationId) {
        await this.audit.record(em, ctx, {
          action: change === 'requested' ? 'user.email_change_requested' : 'user.email_change_cancelled',
          resourceType: 'user',
          resourceId: user.id,
          target: row.email,
          before: { email: row.email, pending_email: previousPending },
          after: { email: row.email, pending_email: row.pendingEmail },
        });
      }
      // The verification link and the notice follow from the event, so they go out if and only if the change is kept.
      if (change === 'requested') {
        this.outbox.add(em, {
          name: EMAIL_CHANGE_REQUESTED,
          organizationId: ctx.organizationId,
          actorId: user.id,
          payload: { user_id: user.id, email: row.pendingEmail! } satisfies EmailChangeRequested,
          requestId: ctx.requestId,
        });
      }
      return row;
    });
  }

  private async assertPassword(userId: string, password: string | undefined): Promise<void> {
    const problem = (message: string) =>
      (password ? AccountsError.wrong_password : AccountsError.current_password_required)(message, [
        { field: 'current_password', problems: [message] },
      ]);
    if (!password) throw problem('current_password is required to change the email address');
    const { passwordHash } = await this.withHash(userId);
    if (!(await this.passwords.verify(passwordHash, password))) throw problem('current_password is incorrect');
  }

  private withHash(userId: string): Promise<User> {
    return this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.id = :userId', { userId })
      .getOneOrFail();
  }

  /** Needs the current password; every other session of the user ends. */
  async changePassword(ctx: RequestContext, dto: ChangePasswordDto): Promise<void> {
    const userId = ctx.requireUserId();
    const user = await this.withHash(userId);
    if (!(await this.passwords.verify(user.passwordHash, dto.current_password))) {
      throw AccountsError.wrong_password('current_password is incorrect', [
        { field: 'current_password', problems: ['current_password is incorrect'] },
      ]);
    }
    this.passwords.assertStrong(dto.new_password, { email: user.email, field: 'new_password' });
    if (await this.passwords.verify(user.passwordHash, dto.new_password)) {
      throw AccountsError.password_unchanged();
    }
    const passwordHash = await this.passwords.hash(dto.new_password);
    await this.dataSource.transaction(async (em) => {
      await em.getRepository(User).update({ id: userId }, { passwordHash });
      if (ctx.organizationId) {
        await this.audit.record(em, ctx, {
          action: 'user.password_changed',
          resourceType: 'user',
          resourceId: userId,
          target: user.email,
        });
      }
      await this.sessions.revokeAllForUser(userId, 'password_changed', ctx.meta.sessionId, em);
      announcePasswordChanged(this.outbox, em, userId, 'change', ctx.requestId);
    });
  }
}

function profileOf(u: User) {
  return { first_name: u.firstName, last_name: u.lastName, phone: u.phone, avatar_url: u.avatarUrl };
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { badRequest, conflict, EventBus, isUniqueViolation, notFound, type RequestContext, unauthorized } from '@atrium/platform';
import { PasswordService } from '../passwords/password.service.js';
import type { ChangePasswordDto } from './dto/change-password.dto.js';
import type { UpdateMeDto } from './dto/update-me.dto.js';
import { User } from './user.entity.js';
import { profileFromJson, SessionService, type UserProfile } from '@atrium/access';

/** The signed-in user's own profile and password. */
@Injectable()
export class MeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
    private readonly events: EventBus,
    private readonly audit: AuditWriter,
  ) {}

  /**
   * The signed-in account; with an API key, the account the key acts for (its creator). Answered from the
   * row the authenticator read for this very request when there is one, so it is exactly as fresh.
   */
  async get(ctx: RequestContext): Promise<UserProfile> {
    const read = ctx.meta.read;
    if (read) return profileFromJson(read.profileJson);
    const userId = ctx.userId ?? ctx.meta.actingUserId;
    if (!userId) throw unauthorized();
    return this.load(userId);
  }

  private async load(userId: string): Promise<User> {
    const user = await this.dataSource.getRepository(User).findOne({ where: { id: userId } });
    if (!user) throw notFound('User');
    return user;
  }

  /** A new email needs the current password, becomes unverified, and publishes `user.email_changed`. */
  async update(ctx: RequestContext, dto: UpdateMeDto): Promise<User> {
    const user = await this.load(ctx.requireUserId());
    const before = profileOf(user);
    const previousEmail = user.email;
    const emailChanged = dto.email !== undefined && dto.email !== user.email;
    if (emailChanged) await this.assertPassword(user.id, dto.current_password);
    if (dto.first_name !== undefined) user.firstName = dto.first_name;
    if (dto.last_name !== undefined) user.lastName = dto.last_name;
    if (dto.phone !== undefined) user.phone = dto.phone;
    if (dto.avatar_url !== undefined) user.avatarUrl = dto.avatar_url;
    if (emailChanged) {
      user.email = dto.email!;
      user.emailVerifiedAt = null;
    }
    const saved = await this.dataSource
      .transaction(async (em) => {
        const row = await em.getRepository(User).save(user);
        const after = profileOf(row);
        if (ctx.organizationId && JSON.stringify(before) !== JSON.stringify(after)) {
          await this.audit.record(em, ctx, { action: 'user.updated', resourceType: 'user', resourceId: user.id, before, after });
        }
        if (emailChanged && ctx.organizationId) {
          await this.audit.record(em, ctx, {
            action: 'user.email_changed',
            resourceType: 'user',
            resourceId: user.id,
            before: { email: previousEmail },
            after: { email: row.email },
          });
        }
        return row;
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err, 'uq_users_email')) throw conflict('email_taken', 'An account with this email already exists');
        throw err;
      });
    if (emailChanged) {
      await this.events.publish({
        name: 'user.email_changed',
        organizationId: ctx.organizationId,
        actorId: user.id,
        payload: { user_id: user.id, email: saved.email },
      });
    }
    return saved;
  }

  private async assertPassword(userId: string, password: string | undefined): Promise<void> {
    const problem = (message: string) =>
      badRequest(password ? 'wrong_password' : 'current_password_required', message, [{ field: 'current_password', problems: [message] }]);
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
      throw badRequest('wrong_password', 'current_password is incorrect', [
        { field: 'current_password', problems: ['current_password is incorrect'] },
      ]);
    }
    this.passwords.assertStrong(dto.new_password, { email: user.email, field: 'new_password' });
    if (await this.passwords.verify(user.passwordHash, dto.new_password)) {
      throw badRequest('password_unchanged', 'new_password must differ from the current password');
    }
    const passwordHash = await this.passwords.hash(dto.new_password);
    const revoked = await this.dataSource.transaction(async (em) => {
      await em.getRepository(User).update({ id: userId }, { passwordHash });
      if (ctx.organizationId) {
        await this.audit.record(em, ctx, { action: 'user.password_changed', resourceType: 'user', resourceId: userId });
      }
      return this.sessions.revokeAllForUser(userId, 'password_changed', ctx.meta.sessionId, em);
    });
    await this.sessions.announceRevoked(revoked, 'password_changed');
  }
}

function profileOf(u: User) {
  return { first_name: u.firstName, last_name: u.lastName, phone: u.phone, avatar_url: u.avatarUrl, email: u.email };
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { badRequest, notFound, type RequestContext } from '@atrium/platform';
import { PasswordService } from '../passwords/password.service.js';
import { SessionService } from '../sessions/session.service.js';
import type { ChangePasswordDto } from './dto/change-password.dto.js';
import type { UpdateMeDto } from './dto/update-me.dto.js';
import { User } from './user.entity.js';

/** The signed-in user's own profile and password. */
@Injectable()
export class MeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
  ) {}

  async get(ctx: RequestContext): Promise<User> {
    const user = await this.dataSource.getRepository(User).findOne({ where: { id: ctx.requireUserId() } });
    if (!user) throw notFound('User');
    return user;
  }

  async update(ctx: RequestContext, dto: UpdateMeDto): Promise<User> {
    const user = await this.get(ctx);
    if (dto.first_name !== undefined) user.firstName = dto.first_name;
    if (dto.last_name !== undefined) user.lastName = dto.last_name;
    if (dto.phone !== undefined) user.phone = dto.phone;
    if (dto.avatar_url !== undefined) user.avatarUrl = dto.avatar_url;
    return this.dataSource.getRepository(User).save(user);
  }

  /** Needs the current password; every other session of the user ends. */
  async changePassword(ctx: RequestContext, dto: ChangePasswordDto): Promise<void> {
    const userId = ctx.requireUserId();
    const user = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.id = :userId', { userId })
      .getOneOrFail();
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
      return this.sessions.revokeAllForUser(userId, 'password_changed', ctx.meta.sessionId, em);
    });
    await this.sessions.announceRevoked(revoked, 'password_changed');
  }
}

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { AppConfig, MailService, Outbox, type OutboxEvent, RequestContext } from '@atrium/platform';
import { UserMemberships } from '@atrium/organizations';
import { announcePasswordChanged } from '../passwords/password-changed.js';
import { PasswordService } from '../passwords/password.service.js';
import { SessionService } from '@atrium/access';
import { User } from '../users/user.entity.js';
import { AccountsError } from '../accounts.errors.js';
import { OneTimeTokenService } from './one-time-token.service.js';
import { auditForUser } from './user-audit.js';
import { passwordResetMail } from './verification.mails.js';

export const PASSWORD_RESET_TTL_SECONDS = 30 * 60;

/** A reset link was asked for this address; whether it has an account is for the subscriber to find out. */
export const PASSWORD_RESET_REQUESTED = 'password_reset.requested';

/** Forgotten passwords: a mailed single-use link, and a reset that ends every session but never touches MFA. */
@Injectable()
export class PasswordResetService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: OneTimeTokenService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
    private readonly mail: MailService,
    private readonly config: AppConfig,
    private readonly audit: AuditWriter,
    private readonly memberships: UserMemberships,
    private readonly outbox: Outbox,
  ) {}

  onModuleInit(): void {
    this.outbox.subscribe({
      name: 'accounts.password-reset',
      events: [PASSWORD_RESET_REQUESTED],
      handle: (event, em) => this.deliver(event as OutboxEvent<{ email?: unknown }>, em),
    });
  }

  /**
   * Answers identically whether or not the address has an account: the request only records the event (the
   * same one insert either way), and the lookup, the token and the queued mail happen in its subscriber, after
   * the answer, so neither the body nor the timing tells. Durable: a crash after the answer loses no mail.
   */
  async request(ctx: RequestContext, email: string): Promise<void> {
    await this.dataSource.transaction(async (em) =>
      this.outbox.add(em, { name: PASSWORD_RESET_REQUESTED, payload: { email }, requestId: ctx.requestId }),
    );
  }

  /** The token is made in the handler's transaction: no event carries it, and the link is made once per request. */
  private async deliver(event: OutboxEvent<{ email?: unknown }>, em: EntityManager): Promise<void> {
    const email = event.payload?.email;
    if (typeof email !== 'string') return;
    const user = await em.getRepository(User).findOne({ where: { email } });
    if (!user || user.status !== 'active') return;
    const { token, row } = await this.tokens.issue(
      { userId: user.id, purpose: 'password_reset', email: user.email, ttlSeconds: PASSWORD_RESET_TTL_SECONDS },
      em,
    );
    const ctx = RequestContext.system(event.requestId ?? event.id);
    await this.mail.sendIn(em, ctx, passwordResetMail(user.email, this.config.http.publicUrl, token), `password-reset:${row.id}`);
  }

  /** Sets the new password, uses up every reset link of the user and ends all their sessions. */
  async reset(ctx: RequestContext, token: unknown, newPassword: string): Promise<void> {
    const live = await this.tokens.peek('password_reset', token);
    this.passwords.assertStrong(newPassword, { email: live.email, field: 'new_password' });
    const passwordHash = await this.passwords.hash(newPassword);
    await this.dataSource.transaction(async (em) => {
      const row = await this.tokens.consume('password_reset', token, em);
      const user = await em.getRepository(User).findOneByOrFail({ id: row.userId });
      // A link is good only for the address it was mailed to: once the account's address changed, it is void.
      if (user.email !== row.email) throw AccountsError.invalid_link();
      // Receiving the mail proves the address, as a verification link would.
      const verified = user.emailVerifiedAt ?? new Date();
      await em.getRepository(User).update({ id: user.id }, { passwordHash, emailVerifiedAt: verified });
      await this.tokens.invalidateAll(user.id, 'password_reset', em);
      await this.tokens.invalidateAll(user.id, 'magic_link', em);
      await auditForUser(this.audit, this.memberships, em, ctx, user.id, {
        action: 'user.password_reset',
        resourceType: 'user',
        resourceId: user.id,
        target: user.email,
      });
      await this.sessions.revokeAllForUser(user.id, 'password_reset', undefined, em);
      announcePasswordChanged(this.outbox, em, user.id, 'reset', ctx.requestId);
    });
  }
}

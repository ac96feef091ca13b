import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { AppConfig, isUniqueViolation, MailService, notFound, type RequestContext } from '@atrium/platform';
import { UserMemberships } from '@atrium/organizations';
import { User } from '../users/user.entity.js';
import { AccountsError } from '../accounts.errors.js';
import { OneTimeTokenService } from './one-time-token.service.js';
import { auditForUser } from './user-audit.js';
import { verifyEmailMail } from './verification.mails.js';

export const EMAIL_VERIFICATION_TTL_SECONDS = 24 * 3600;

/** What a used verification link did: proved the current address, or made a pending address the account's. */
export type EmailVerified = 'verified' | 'changed';

const addressTaken = () =>
  AccountsError.email_taken('Another account now uses this email address, so the change cannot be completed; choose another address');

/** Proves a user controls an email address: a mailed single-use link marks it verified, or completes an email change. */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: OneTimeTokenService,
    private readonly mail: MailService,
    private readonly config: AppConfig,
    private readonly audit: AuditWriter,
    private readonly memberships: UserMemberships,
  ) {}

  /**
   * Issues a fresh verification link for `email` (the user's current or pending address) in `em`'s transaction
   * and queues its mail there, so the token and its only copy in clear (the queued message) commit together;
   * earlier links stop working. Returns the token's id, which names this request in mail idempotency keys.
   */
  async sendLinkIn(em: EntityManager, ctx: RequestContext, userId: string, email: string): Promise<string> {
    await this.tokens.invalidateAll(userId, 'email_verification', em);
    const { token, row } = await this.tokens.issue(
      { userId, purpose: 'email_verification', email, ttlSeconds: EMAIL_VERIFICATION_TTL_SECONDS },
      em,
    );
    await this.mail.sendIn(em, ctx, verifyEmailMail(email, this.config.http.publicUrl, token), `verify-email:${row.id}`);
    return row.id;
  }

  /** The signed-in user asks for another link: for the pending address if a change waits, else the current one (409 once verified). */
  async resend(ctx: RequestContext): Promise<void> {
    const user = await this.dataSource.getRepository(User).findOne({ where: { id: ctx.requireUserId() } });
    if (!user) throw notFound('User');
    if (!user.pendingEmail && user.emailVerifiedAt) throw AccountsError.email_already_verified();
    await this.dataSource.transaction((em) => this.sendLinkIn(em, ctx, user.id, user.pendingEmail ?? user.email));
  }

  /**
   * Uses the token; it only proves the address it was sent to. The current address becomes verified; the pending
   * one becomes the account's address (409 `email_taken` if another account took it meanwhile), and every link
   * still out for the replaced address (password reset, magic link, verification) stops working. A link to any
   * other address (replaced or withdrawn) is refused.
   */
  async verify(ctx: RequestContext, token: unknown): Promise<EmailVerified> {
    return this.dataSource
      .transaction(async (em): Promise<EmailVerified> => {
        const row = await this.tokens.consume('email_verification', token, em);
        const users = em.getRepository(User);
        const user = await users.findOne({ where: { id: row.userId }, lock: { mode: 'pessimistic_write' } });
        if (user && user.email === row.email) {
          if (user.emailVerifiedAt) return 'verified' as const;
          await users.update({ id: user.id }, { emailVerifiedAt: new Date() });
          await auditForUser(this.audit, this.memberships, em, ctx, user.id, {
            action: 'user.email_verified',
            resourceType: 'user',
            resourceId: user.id,
            target: user.email,
            after: { email: user.email },
          });
          return 'verified' as const;
        }
        if (!user || user.pendingEmail !== row.email) throw AccountsError.invalid_link();
        if (await users.exists({ where: { email: row.email } })) throw addressTaken();
        const previous = user.email;
        await users.update({ id: user.id }, { email: row.email, pendingEmail: null, emailVerifiedAt: new Date() });
        await this.tokens.revokeOutstanding(user.id, ['password_reset', 'magic_link', 'email_verification'], em);
        await auditForUser(this.audit, this.memberships, em, ctx, user.id, {
          action: 'user.email_changed',
          resourceType: 'user',
          resourceId: user.id,
          target: row.email,
          before: { email: previous },
          after: { email: row.email },
        });
        return 'changed' as const;
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err, 'uq_users_email')) throw addressTaken();
        throw err;
      });
  }
}

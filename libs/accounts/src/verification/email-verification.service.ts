import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { AppConfig, conflict, MailService, notFound, RequestContext } from '@atrium/platform';
import { UserMemberships } from '@atrium/organizations';
import { User } from '../users/user.entity.js';
import { OneTimeTokenService, tokenProblem } from './one-time-token.service.js';
import { auditForUser } from './user-audit.js';
import { verifyEmailMail } from './verification.mails.js';

export const EMAIL_VERIFICATION_TTL_SECONDS = 24 * 3600;

/** Proves a user controls their email address: a mailed single-use link marks it verified. */
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

  /** Mails a fresh verification link for `email` (the user's current address); earlier links stop working. */
  async sendLink(ctx: RequestContext, userId: string, email: string): Promise<void> {
    const { token, row } = await this.dataSource.transaction(async (em) => {
      await this.tokens.invalidateAll(userId, 'email_verification', em);
      return this.tokens.issue({ userId, purpose: 'email_verification', email, ttlSeconds: EMAIL_VERIFICATION_TTL_SECONDS }, em);
    });
    await this.mail.send(ctx, verifyEmailMail(email, this.config.http.publicUrl, token), `verify-email:${row.id}`);
  }

  /** The signed-in user asks for another link; 409 when the address is already verified. */
  async resend(ctx: RequestContext): Promise<void> {
    const user = await this.dataSource.getRepository(User).findOne({ where: { id: ctx.requireUserId() } });
    if (!user) throw notFound('User');
    if (user.emailVerifiedAt) throw conflict('email_already_verified', 'Your email address is already verified');
    await this.sendLink(ctx, user.id, user.email);
  }

  /** Uses the token; it only verifies the address it was sent to, so a link to a replaced address is refused. */
  async verify(ctx: RequestContext, token: unknown): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const row = await this.tokens.consume('email_verification', token, 'bad_request', em);
      const user = await em.getRepository(User).findOne({ where: { id: row.userId }, lock: { mode: 'pessimistic_write' } });
      if (!user || user.email !== row.email) throw tokenProblem('bad_request', 'invalid');
      if (user.emailVerifiedAt) return;
      await em.getRepository(User).update({ id: user.id }, { emailVerifiedAt: new Date() });
      await auditForUser(this.audit, this.memberships, em, ctx, user.id, {
        action: 'user.email_verified',
        resourceType: 'user',
        resourceId: user.id,
        after: { email: user.email },
      });
    });
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig, MailService, type RequestContext } from '@atrium/platform';
import { UserMemberships } from '@atrium/organizations';
import type { LoginResponseDto, MfaRequiredDto } from '../sign-in/dto/login.dto.js';
import { LoginService } from '../sign-in/login.service.js';
import { MfaVerifier } from '@atrium/access';
import { User } from '../users/user.entity.js';
import { BackgroundTasks } from '../verification/background-tasks.js';
import { OneTimeTokenService } from '../verification/one-time-token.service.js';
import { magicLinkMail } from './magic-link.mail.js';
import { AccountsError } from '../accounts.errors.js';
import { AccessError } from '@atrium/access';

export const MAGIC_LINK_TTL_SECONDS = 10 * 60;

/** Passwordless sign-in: a mailed single-use link, still gated by the second factor when it is on. */
@Injectable()
export class MagicLinkService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: OneTimeTokenService,
    private readonly memberships: UserMemberships,
    private readonly mail: MailService,
    private readonly config: AppConfig,
    private readonly background: BackgroundTasks,
    private readonly login: LoginService,
    private readonly mfa: MfaVerifier,
  ) {}

  /** Always the same immediate answer; the lookup and the mail happen afterwards (no account enumeration). */
  request(ctx: RequestContext, email: string, organizationId?: string): void {
    this.background.run('magic-link-request', () => this.deliver(ctx, email, organizationId));
  }

  private async deliver(ctx: RequestContext, email: string, organizationId?: string): Promise<void> {
    const user = await this.dataSource.getRepository(User).findOne({ where: { email } });
    if (!user || user.status !== 'active') return;
    if (organizationId && !(await this.memberships.activeIn(user.id, organizationId))) return;
    const { token, row } = await this.tokens.issue({
      userId: user.id,
      purpose: 'magic_link',
      email: user.email,
      ttlSeconds: MAGIC_LINK_TTL_SECONDS,
      organizationId: organizationId ?? null,
    });
    await this.mail.send(ctx, magicLinkMail(user.email, this.config.http.publicUrl, token), `magic-link:${row.id}`);
  }

  /**
   * Signs in with the link. With MFA on and no code, answers `{mfa_required: true}` and leaves the
   * link unused so the client can send it again with `mfa_code`; the link is used up only on success.
   */
  async verify(ctx: RequestContext, token: string, mfaCode?: string): Promise<LoginResponseDto | MfaRequiredDto> {
    const live = await this.tokens.peek('magic_link', token);
    const user = await this.dataSource.getRepository(User).findOne({ where: { id: live.userId } });
    if (!user || user.email !== live.email) throw AccountsError.invalid_link();
    if (user.status !== 'active') throw AccessError.account_suspended();

    const use = async (em: EntityManager) => {
      await this.tokens.consume('magic_link', token, em);
      if (!user.emailVerifiedAt) {
        user.emailVerifiedAt = new Date();
        await em.getRepository(User).update({ id: user.id }, { emailVerifiedAt: user.emailVerifiedAt });
      }
    };
    if (await this.mfa.isEnabled(user.id)) {
      if (!mfaCode) return { mfa_required: true };
      await this.mfa.attempt(user.id, mfaCode, { kind: 'unauthorized', allowBackup: true, requireEnabled: true }, use);
    } else {
      await this.dataSource.transaction(use);
    }
    return this.login.signIn(ctx, user, live.organizationId ?? undefined);
  }
}

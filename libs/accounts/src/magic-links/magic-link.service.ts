import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig, isUuid, MailService, Outbox, type OutboxEvent, RequestContext } from '@atrium/platform';
import { UserMemberships } from '@atrium/organizations';
import type { LoginResponseDto, MfaRequiredDto } from '../sign-in/dto/login.dto.js';
import { LoginService } from '../sign-in/login.service.js';
import { MfaVerifier } from '@atrium/access';
import { User } from '../users/user.entity.js';
import { OneTimeTokenService } from '../verification/one-time-token.service.js';
import { magicLinkMail } from './magic-link.mail.js';
import { AccountsError } from '../accounts.errors.js';
import { AccessError } from '@atrium/access';

export const MAGIC_LINK_TTL_SECONDS = 10 * 60;

/** A sign-in link was asked for this address (and organization); whether it has an account is for the subscriber. */
export const MAGIC_LINK_REQUESTED = 'magic_link.requested';

interface MagicLinkRequested {
  email?: unknown;
  organization_id?: unknown;
}

/** Passwordless sign-in: a mailed single-use link, still gated by the second factor when it is on. */
@Injectable()
export class MagicLinkService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: OneTimeTokenService,
    private readonly memberships: UserMemberships,
    private readonly mail: MailService,
    private readonly config: AppConfig,
    private readonly login: LoginService,
    private readonly mfa: MfaVerifier,
    private readonly outbox: Outbox,
  ) {}

  onModuleInit(): void {
    this.outbox.subscribe({
      name: 'accounts.magic-link',
      events: [MAGIC_LINK_REQUESTED],
      handle: (event, em) => this.deliver(event as OutboxEvent<MagicLinkRequested>, em),
    });
  }

  /**
   * Always the same answer, as fast either way (no account enumeration): the request only records the event;
   * the lookup, the token and the mail happen in its subscriber, durably, after the answer.
   */
  async request(ctx: RequestContext, email: string, organizationId?: string): Promise<void> {
    const payload = { email, organization_id: organizationId ?? null } satisfies MagicLinkRequested;
    await this.dataSource.transaction(async (em) => this.outbox.add(em, { name: MAGIC_LINK_REQUESTED, payload, requestId: ctx.requestId }));
  }

  /** The token is made in the handler's transaction: no event carries it, and the link is made once per request. */
  private async deliver(event: OutboxEvent<MagicLinkRequested>, em: EntityManager): Promise<void> {
    const { email, organization_id: org } = event.payload ?? {};
    if (typeof email !== 'string') return;
    const organizationId = isUuid(org) ? org : undefined;
    const user = await em.getRepository(User).findOne({ where: { email } });
    if (!user || user.status !== 'active') return;
    if (organizationId && !(await this.memberships.activeIn(user.id, organizationId, em))) return;
    const { token, row } = await this.tokens.issue(
      {
        userId: user.id,
        purpose: 'magic_link',
        email: user.email,
        ttlSeconds: MAGIC_LINK_TTL_SECONDS,
        organizationId: organizationId ?? null,
      },
      em,
    );
    const ctx = RequestContext.system(event.requestId ?? event.id);
    await this.mail.sendIn(em, ctx, magicLinkMail(user.email, this.config.http.publicUrl, token), `magic-link:${row.id}`);
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

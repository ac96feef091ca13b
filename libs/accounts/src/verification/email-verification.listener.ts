import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isUuid, MailService, Outbox, type OutboxEvent, RequestContext } from '@atrium/platform';
import { EMAIL_CHANGE_REQUESTED, type EmailChangeRequested } from '../users/email-change.js';
import { User } from '../users/user.entity.js';
import { EmailVerificationService } from './email-verification.service.js';
import { emailChangeNoticeMail } from './verification.mails.js';

/**
 * Outbox subscriber `accounts.email-verification`: sends the verification mail whenever an address needs proving:
 * after sign-up (`organization.registered`), when an account is created for someone (`user.created`, unless
 * already verified, e.g. through an invitation link), and when an email change waits for its new address
 * (`user.email_change_requested`, from the user's own profile or an administrator's change), which also tells
 * the current address. The token is made here, in the handler's transaction, so no event ever carries it; the
 * relay's processed-events record makes the link (and its mail) once per event.
 */
@Injectable()
export class EmailVerificationListener implements OnModuleInit {
  constructor(
    private readonly outbox: Outbox,
    private readonly verification: EmailVerificationService,
    private readonly mail: MailService,
  ) {}

  onModuleInit(): void {
    this.outbox.subscribe({
      name: 'accounts.email-verification',
      events: ['organization.registered', 'user.created', EMAIL_CHANGE_REQUESTED],
      handle: (event, em) =>
        event.name === EMAIL_CHANGE_REQUESTED
          ? this.onChangeRequested(event as OutboxEvent<EmailChangeRequested>, em)
          : this.onCreated(event as OutboxEvent<{ user_id: string }>, em),
    });
  }

  private async onCreated(event: OutboxEvent<{ user_id: string }>, em: EntityManager): Promise<void> {
    if (!isUuid(event.payload?.user_id)) return;
    const user = await em.getRepository(User).findOne({ where: { id: event.payload.user_id } });
    if (!user || user.emailVerifiedAt) return;
    await this.verification.sendLinkIn(em, contextOf(event), user.id, user.email);
  }

  private async onChangeRequested(event: OutboxEvent<EmailChangeRequested>, em: EntityManager): Promise<void> {
    const { user_id: userId, email } = event.payload ?? {};
    if (!isUuid(userId) || typeof email !== 'string') return;
    const user = await em.getRepository(User).findOne({ where: { id: userId } });
    // A later request may already have replaced or withdrawn this address; only the pending one is worth proving.
    if (!user || user.pendingEmail !== email) return;
    const ctx = contextOf(event);
    const request = await this.verification.sendLinkIn(em, ctx, user.id, email);
    await this.mail.sendIn(em, ctx, emailChangeNoticeMail(user.email, email), `email-change-notice:${request}`);
  }
}

/** Work done for an event runs as the system, under the request id that caused it. */
const contextOf = (event: OutboxEvent) => RequestContext.system(event.requestId ?? event.id, event.organizationId);

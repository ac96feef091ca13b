import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EventBus, type DomainEvent, isUuid, MailService, RequestContext } from '@atrium/platform';
import { EMAIL_CHANGE_REQUESTED, type EmailChangeRequested } from '../users/email-change.js';
import { User } from '../users/user.entity.js';
import { EmailVerificationService } from './email-verification.service.js';
import { emailChangeNoticeMail } from './verification.mails.js';

/**
 * Sends the verification mail whenever an address needs proving: after sign-up (`organization.registered`),
 * when an account is created for someone (`user.created`, unless already verified, e.g. through an
 * invitation link), and when an email change waits for its new address (`user.email_change_requested`, from
 * the user's own profile or an administrator's change), which also tells the current address.
 */
@Injectable()
export class EmailVerificationListener implements OnModuleInit {
  constructor(
    private readonly events: EventBus,
    private readonly verification: EmailVerificationService,
    private readonly mail: MailService,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.events.on('organization.registered', (e) => this.onCreated(e as DomainEvent<{ user_id: string }>));
    this.events.on('user.created', (e) => this.onCreated(e as DomainEvent<{ user_id: string }>));
    this.events.on(EMAIL_CHANGE_REQUESTED, (e) => this.onChangeRequested(e as DomainEvent<EmailChangeRequested>));
  }

  private async onCreated(event: DomainEvent<{ user_id: string }>): Promise<void> {
    if (!isUuid(event.payload?.user_id)) return;
    const user = await this.dataSource.getRepository(User).findOne({ where: { id: event.payload.user_id } });
    if (!user || user.emailVerifiedAt) return;
    await this.verification.sendLink(RequestContext.system(randomUUID(), event.organizationId), user.id, user.email);
  }

  private async onChangeRequested(event: DomainEvent<EmailChangeRequested>): Promise<void> {
    const { user_id: userId, email } = event.payload ?? {};
    if (!isUuid(userId) || typeof email !== 'string') return;
    const user = await this.dataSource.getRepository(User).findOne({ where: { id: userId } });
    // A later request may already have replaced or withdrawn this address; only the pending one is worth proving.
    if (!user || user.pendingEmail !== email) return;
    const ctx = RequestContext.system(randomUUID(), event.organizationId);
    const request = await this.verification.sendLink(ctx, user.id, email);
    await this.mail.send(ctx, emailChangeNoticeMail(user.email, email), `email-change-notice:${request}`);
  }
}

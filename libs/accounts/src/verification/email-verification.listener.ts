import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EventBus, type DomainEvent, isUuid, RequestContext } from '@atrium/platform';
import { User } from '../users/user.entity.js';
import { EmailVerificationService } from './email-verification.service.js';

interface EmailChanged {
  user_id: string;
  email: string;
}

/**
 * Sends the verification mail whenever an address needs proving: after sign-up (`organization.registered`),
 * when an account is created for someone (`user.created`, unless already verified, e.g. through an
 * invitation link), and after any `user.email_changed` (the user's own profile or an administrator's change).
 */
@Injectable()
export class EmailVerificationListener implements OnModuleInit {
  constructor(
    private readonly events: EventBus,
    private readonly verification: EmailVerificationService,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.events.on('organization.registered', (e) => this.onCreated(e as DomainEvent<{ user_id: string }>));
    this.events.on('user.created', (e) => this.onCreated(e as DomainEvent<{ user_id: string }>));
    this.events.on('user.email_changed', (e) => this.onEmailChanged(e as DomainEvent<EmailChanged>));
  }

  private async onCreated(event: DomainEvent<{ user_id: string }>): Promise<void> {
    if (!isUuid(event.payload?.user_id)) return;
    const user = await this.dataSource.getRepository(User).findOne({ where: { id: event.payload.user_id } });
    if (!user || user.emailVerifiedAt) return;
    await this.verification.sendLink(RequestContext.system(randomUUID(), event.organizationId), user.id, user.email);
  }

  private async onEmailChanged(event: DomainEvent<EmailChanged>): Promise<void> {
    const { user_id: userId, email } = event.payload ?? {};
    if (!isUuid(userId) || typeof email !== 'string') return;
    const user = await this.dataSource.getRepository(User).findOne({ where: { id: userId } });
    // A later change may already have replaced this address; only the current one is worth proving.
    if (!user || user.email !== email || user.emailVerifiedAt) return;
    await this.verification.sendLink(RequestContext.system(randomUUID(), event.organizationId), user.id, email);
  }
}

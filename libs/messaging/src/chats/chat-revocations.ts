import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Outbox, type OutboxEvent, RequestContext } from '@atrium/platform';
import { ChatMembershipService } from './chat-membership.service.js';

/**
 * Outbox subscriber `messaging.member-revoked`: a member who loses the organization loses every chat of it (their
 * rows go, admin is handed on, emptied chats are deleted), in the subscriber's transaction, so once. Their sockets
 * for the organization were ended by the `member.revoked` reaction; coming back later finds none of the chats.
 */
@Injectable()
export class ChatRevocations implements OnModuleInit {
  constructor(
    private readonly outbox: Outbox,
    private readonly membership: ChatMembershipService,
  ) {}

  onModuleInit(): void {
    this.outbox.subscribe({
      name: 'messaging.member-revoked',
      events: ['member.revoked'],
      handle: (event, em) => this.revoked(event as OutboxEvent<{ user_id?: string }>, em),
    });
  }

  private async revoked(event: OutboxEvent<{ user_id?: string }>, em: EntityManager): Promise<void> {
    const userId = event.payload?.user_id;
    if (!userId || !event.organizationId) return;
    const ctx = RequestContext.system(event.requestId ?? event.id, event.organizationId);
    await this.membership.removeFromOrganization(em, ctx, userId);
  }
}

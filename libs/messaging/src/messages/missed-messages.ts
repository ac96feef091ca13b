import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Outbox, type OutboxEvent, SocketDirectory } from '@atrium/platform';
import { ChatEvents } from '../chats/chat-events.js';
import { chatRoom } from '../chats/chat-rooms.js';
import type { MessageDto } from './dto/message.dto.js';

/** `chat.message_missed`'s payload: the chat's members (not the sender) with no socket for the organization when it was delivered. */
export interface MessageMissedPayload {
  chat_id: string;
  message_id: string;
  /** The message's place in the chat: a read marker at or past it has read it. */
  seq: number;
  user_ids: string[];
}

/**
 * Outbox subscriber `messaging.missed`: after a message commits, asks every instance once which members have a socket
 * in the chat's room (a member's sockets acting for the organization all join it), and publishes
 * `chat.message_missed` for the others in its own transaction, so it is published once.
 */
@Injectable()
export class MissedMessages implements OnModuleInit {
  constructor(
    private readonly outbox: Outbox,
    private readonly sockets: SocketDirectory,
  ) {}

  onModuleInit(): void {
    this.outbox.subscribe({
      name: 'messaging.missed',
      events: [ChatEvents.messageNew],
      handle: (event, em) => this.decide(event as OutboxEvent<MessageDto>, em),
    });
  }

  private async decide(event: OutboxEvent<MessageDto>, em: EntityManager): Promise<void> {
    const message = event.payload;
    // SYSTEM messages notify nobody: a missed call has its own event (call.missed), the rest is history.
    if (!event.organizationId || !message?.chat_id || message.message_type !== 'TEXT') return;
    const members: Array<{ user_id: string }> = await em.query(`SELECT user_id FROM chat_members WHERE chat_id = $1 AND user_id <> $2`, [
      message.chat_id,
      message.sender_id,
    ]);
    if (!members.length) return;
    const online = await this.sockets.connectedUserIds(chatRoom(message.chat_id));
    const missed = members.map((m) => m.user_id).filter((id) => !online.has(id));
    if (!missed.length) return;
    const payload: MessageMissedPayload = { chat_id: message.chat_id, message_id: message.id, seq: message.seq, user_ids: missed };
    this.outbox.add(em, {
      name: ChatEvents.messageMissed,
      organizationId: event.organizationId,
      actorId: message.sender_id ?? undefined,
      payload,
      requestId: event.requestId,
    });
  }
}

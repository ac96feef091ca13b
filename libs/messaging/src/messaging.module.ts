import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { AppConfig } from '@atrium/platform';
import { CallsModule } from './calls/calls.module.js';
import { ChatAccessModule } from './chats/chat-access.module.js';
import { ChatExportSection } from './chats/chat-export.js';
import { ChatMembershipService } from './chats/chat-membership.service.js';
import { ChatReader } from './chats/chat-reader.js';
import { ChatRevocations } from './chats/chat-revocations.js';
import { ChatSocketRooms } from './chats/chat-socket-rooms.js';
import { ChatService } from './chats/chat.service.js';
import { ChatsController } from './chats/chats.controller.js';
import { MessagesController } from './messages/messages.controller.js';
import { MessagesGateway } from './messages/messages.gateway.js';
import { MessageService } from './messages/message.service.js';
import { MissedMessages } from './messages/missed-messages.js';
import { ReadStateService } from './messages/read-state.service.js';
import { SocketPayloadLimit, SocketSendLimit } from './messages/socket-send-limit.js';
import { loadMessagingConfig, MessagingConfig } from './messaging.config.js';
import { MessagingNotifications } from './messaging.notifications.js';
import { PresenceController } from './presence/presence.controller.js';
import { PresenceService } from './presence/presence.service.js';
import { TypingGateway } from './presence/typing.gateway.js';

/**
 * Chats, messages, presence and typing, and calls (WebRTC signaling) over REST and socket.io, and the notification
 * types they produce. `register` adds calls, whose timers run on the queue's workers only where `workers` is true.
 */
@Module({
  imports: [AuditModule, ChatAccessModule],
  controllers: [ChatsController, MessagesController, PresenceController],
  providers: [
    { provide: MessagingConfig, useFactory: (app: AppConfig) => loadMessagingConfig(app), inject: [AppConfig] },
    ChatReader,
    ChatService,
    ChatMembershipService,
    ChatSocketRooms,
    ChatRevocations,
    ChatExportSection,
    MessageService,
    ReadStateService,
    MissedMessages,
    MessagingNotifications,
    SocketPayloadLimit,
    SocketSendLimit,
    MessagesGateway,
    PresenceService,
    TypingGateway,
  ],
  exports: [ChatAccessModule, MessagingConfig],
})
export class MessagingModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return { module: MessagingModule, imports: [CallsModule.register(opts)] };
  }
}

import { Module } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { AppConfig } from '@atrium/platform';
import { ChatAccess } from './chats/chat-access.js';
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
import { SocketSendLimit } from './messages/socket-send-limit.js';
import { loadMessagingConfig, MessagingConfig } from './messaging.config.js';
import { PresenceController } from './presence/presence.controller.js';
import { PresenceService } from './presence/presence.service.js';
import { TypingGateway } from './presence/typing.gateway.js';

/** Chats, messages and calls (WebRTC signaling) over REST and socket.io; presence and typing. */
@Module({
  imports: [AuditModule],
  controllers: [ChatsController, MessagesController, PresenceController],
  providers: [
    { provide: MessagingConfig, useFactory: (app: AppConfig) => loadMessagingConfig(app), inject: [AppConfig] },
    ChatAccess,
    ChatReader,
    ChatService,
    ChatMembershipService,
    ChatSocketRooms,
    ChatRevocations,
    ChatExportSection,
    MessageService,
    ReadStateService,
    MissedMessages,
    SocketSendLimit,
    MessagesGateway,
    PresenceService,
    TypingGateway,
  ],
  exports: [ChatAccess, MessagingConfig],
})
export class MessagingModule {}

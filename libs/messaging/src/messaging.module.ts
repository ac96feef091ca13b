import { Module } from '@nestjs/common';
import { ChatAccess } from './chats/chat-access.js';
import { ChatRoomsOnConnect } from './chats/chat-rooms.js';
import { PresenceController } from './presence/presence.controller.js';
import { PresenceService } from './presence/presence.service.js';
import { TypingGateway } from './presence/typing.gateway.js';

/** Chats, messages and calls (WebRTC signaling) over REST and socket.io; presence and typing. */
@Module({
  controllers: [PresenceController],
  providers: [ChatAccess, ChatRoomsOnConnect, PresenceService, TypingGateway],
  exports: [ChatAccess],
})
export class MessagingModule {}

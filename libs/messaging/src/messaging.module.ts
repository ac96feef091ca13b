import { Module } from '@nestjs/common';
import { ChatAccess } from './chats/chat-access.js';

/** Chats, messages and calls (WebRTC signaling) over REST and socket.io. */
@Module({
  providers: [ChatAccess],
  exports: [ChatAccess],
})
export class MessagingModule {}

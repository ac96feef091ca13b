import { Module } from '@nestjs/common';
import { ChatAccess } from './chat-access.js';

/** Who may see a chat, for every part of messaging that starts from one (chats, messages, calls). */
@Module({ providers: [ChatAccess], exports: [ChatAccess] })
export class ChatAccessModule {}

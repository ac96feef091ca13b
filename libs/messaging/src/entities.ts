import { Chat, ChatMember } from './chats/chat.entity.js';

export const MESSAGING_ENTITIES = [Chat, ChatMember];

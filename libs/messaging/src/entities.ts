import { Chat, ChatMember } from './chats/chat.entity.js';
import { Message } from './messages/message.entity.js';

export const MESSAGING_ENTITIES = [Chat, ChatMember, Message];

import { Call, CallParticipant } from './calls/call.entity.js';
import { Chat, ChatMember } from './chats/chat.entity.js';
import { Message } from './messages/message.entity.js';

export const MESSAGING_ENTITIES = [Chat, ChatMember, Message, Call, CallParticipant];

import { Call, CallParticipant } from './calls/call.entity.js';
import { Chat, ChatMember } from './chats/chat.entity.js';

export const MESSAGING_ENTITIES = [Chat, ChatMember, Call, CallParticipant];

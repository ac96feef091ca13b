import type { EntityManager } from 'typeorm';
import type { Outbox, RequestContext } from '@atrium/platform';
import { chatRoom } from './chat-rooms.js';

/** Socket events pushed to a chat's room (`chat:{id}`), written through the outbox with the change. */
export const ChatEvents = {
  created: 'chat:created',
  updated: 'chat:updated',
  deleted: 'chat:deleted',
  memberAdded: 'chat:member_added',
  memberRemoved: 'chat:member_removed',
  read: 'chat:read',
  messageNew: 'message:new',
  messageUpdated: 'message:updated',
  messageDeleted: 'message:deleted',
  /** Outbox only (no rooms): for notifications. */
  mentioned: 'chat.mentioned',
  messageMissed: 'chat.message_missed',
} as const;

export interface ChatCreatedPayload {
  id: string;
  type: string;
  name: string | null;
  description: string | null;
  created_by: string | null;
  member_ids: string[];
  created_at: string;
}

/** `chat:read`: a member's read marker moved forward (it never moves back) to `seq`. */
export interface ChatReadPayload {
  chat_id: string;
  user_id: string;
  seq: number;
}

export interface MemberAddedPayload {
  chat_id: string;
  user_ids: string[];
  added_by: string | null;
}

export interface MemberRemovedPayload {
  chat_id: string;
  user_id: string;
  removed_by: string | null;
  reason: 'removed' | 'left' | 'revoked';
  /** The member who became admin because the last admin went. */
  new_admin_id: string | null;
}

/** Writes a chat event in `em`'s transaction, pushed to the chat's room after commit. */
export function addChatEvent(outbox: Outbox, em: EntityManager, ctx: RequestContext, chatId: string, name: string, payload: unknown): void {
  outbox.add(em, {
    name,
    organizationId: ctx.requireOrganizationId(),
    actorId: ctx.userId,
    payload,
    rooms: [chatRoom(chatId)],
    requestId: ctx.requestId,
  });
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { Outbox, type RequestContext, Rooms } from '@atrium/platform';
import { ChatAccess } from '../chats/chat-access.js';
import { chatName, displayName } from '../chats/display-names.js';
import { writeSystemMessage } from '../messages/system-messages.js';
import type { CallEndReason } from './call.entity.js';
import { type CallRow, CallStore } from './call-store.js';

/** The outbox events of calls: what clients receive (`call:*`) and what other features may act on (`call.missed`). */
export const CallEvent = {
  incoming: 'call:incoming',
  answered: 'call:answered',
  left: 'call:left',
  reject: 'call:reject',
  ended: 'call:ended',
  media: 'call:media',
  missed: 'call.missed',
} as const;

/** `call.missed`'s payload: who was not reached, with the names its notification shows, read when the call ended. */
export interface CallMissedPayload {
  call_id: string;
  chat_id: string;
  started_by: string | null;
  started_by_name: string | null;
  /** The group's name; null for a direct chat. */
  chat_name: string | null;
  user_ids: string[];
}

/**
 * The transitions every path shares (REST, socket, timeouts): leaving, ending, and the events and audit entries they
 * publish. Callers hold the call row locked (CallStore.forMember / lockById) in `em`'s transaction.
 */
@Injectable()
export class CallLifecycle {
  constructor(
    private readonly outbox: Outbox,
    private readonly chats: ChatAccess,
    private readonly audit: AuditWriter,
  ) {}

  /** The member rooms of everyone in the call's chat, in its organization. */
  async chatRooms(em: EntityManager, call: CallRow): Promise<string[]> {
    return (await this.chats.memberIds(call.chat_id, em)).map((u) => Rooms.member(call.organization_id, u));
  }

  /** Publishes a `call:*` event to every member of the call's chat. */
  async toChat(em: EntityManager, ctx: RequestContext, call: CallRow, name: string, payload: object): Promise<void> {
    this.outbox.add(em, {
      name,
      organizationId: call.organization_id,
      actorId: ctx.userId,
      payload,
      rooms: await this.chatRooms(em, call),
      requestId: ctx.requestId,
    });
  }

  /** Takes `userId` out of the call; when nobody is left in it, the call ends. */
  async leave(em: EntityManager, ctx: RequestContext, call: CallRow, userId: string, reason: 'left' | 'disconnected'): Promise<void> {
    await CallStore.setState(em, call, userId, 'left');
    await this.toChat(em, ctx, call, CallEvent.left, { call_id: call.id, chat_id: call.chat_id, user_id: userId, reason });
    const stillIn = (await CallStore.participants(em, call.id)).some((p) => p.state === 'joined');
    if (stillIn) return;
    const ending: CallEndReason = reason === 'disconnected' ? 'dropped' : call.status === 'ringing' ? 'cancelled' : 'completed';
    await this.end(em, ctx, call, ending, reason === 'left' ? userId : null);
  }

  /**
   * Ends the call for everyone (`call:ended`); a missed call also publishes `call.missed` naming who was not reached.
   * The chat's history gets a SYSTEM message: `call_missed`, or `call_ended` with the reason and duration.
   */
  async end(em: EntityManager, ctx: RequestContext, call: CallRow, reason: CallEndReason, endedBy: string | null): Promise<void> {
    const unanswered =
      reason === 'missed' ? (await CallStore.participants(em, call.id)).filter((p) => p.state === 'invited').map((p) => p.user_id) : [];
    const durationSeconds = await CallStore.markEnded(em, call.id, reason, endedBy);
    const endedAt = new Date().toISOString();
    await this.toChat(em, ctx, call, CallEvent.ended, {
      call_id: call.id,
      chat_id: call.chat_id,
      reason,
      ended_by: endedBy,
      ended_at: endedAt,
    });
    // The call is labelled by its chat's name (null for a direct chat).
    const label = await chatName(em, call.chat_id);
    if (reason === 'missed') {
      const payload: CallMissedPayload = {
        call_id: call.id,
        chat_id: call.chat_id,
        started_by: call.started_by,
        started_by_name: await displayName(em, call.started_by),
        chat_name: label,
        user_ids: unanswered,
      };
      this.outbox.add(em, { name: CallEvent.missed, organizationId: call.organization_id, payload, requestId: ctx.requestId });
    }
    await this.audit.record(em, ctx, {
      action: 'call.ended',
      resourceType: 'call',
      resourceId: call.id,
      target: label,
      before: { status: call.status },
      after: { status: 'ended', end_reason: reason },
      metadata: { chat_id: call.chat_id },
      actorUserId: endedBy,
    });
    await writeSystemMessage(this.outbox, em, ctx, call.chat_id, {
      event: reason === 'missed' ? 'call_missed' : 'call_ended',
      actor_id: endedBy,
      call_id: call.id,
      reason,
      duration_seconds: durationSeconds,
      ...(reason === 'missed' ? { user_ids: unanswered } : {}),
    });
  }
}

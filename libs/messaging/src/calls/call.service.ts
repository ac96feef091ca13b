import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { isUniqueViolation, Outbox, type RequestContext, Rooms } from '@atrium/platform';
import { ChatAccess } from '../chats/chat-access.js';
import { MessagingError } from '../messaging.errors.js';
import type { CallType } from './call.entity.js';
import { CallEvent, CallLifecycle } from './call-lifecycle.js';
import { type CallRow, CallStore, type ParticipantRow } from './call-store.js';
import { CallDto } from './dto/call.dto.js';

/**
 * What chat members do with calls. Each action locks the call row, so transitions of one call queue on it; nothing
 * leaves `ended` (409 `call_ended`); a call of a chat the caller is not in is 404 like another organization's.
 */
@Injectable()
export class CallService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly chats: ChatAccess,
    private readonly lifecycle: CallLifecycle,
    private readonly outbox: Outbox,
    private readonly audit: AuditWriter,
  ) {}

  /** Starts a ringing call in the chat: the caller is in it, every other member is rung (`call:incoming`). */
  async start(ctx: RequestContext, chatId: string, callType: CallType): Promise<CallDto> {
    const userId = ctx.requireUserId();
    try {
      return await this.dataSource.transaction(async (em) => {
        const { chat } = await this.chats.seat(ctx, chatId, em);
        if (await CallStore.openInChat(em, chat.organizationId, chat.id)) throw MessagingError.call_in_progress();
        const call = await CallStore.insert(em, { organizationId: chat.organizationId, chatId: chat.id, callType, startedBy: userId });
        const members = await this.chats.memberIds(chat.id, em);
        await CallStore.addParticipants(em, call, userId, members);
        const dto = CallDto.from(call, await CallStore.participants(em, call.id));
        this.outbox.add(em, {
          name: CallEvent.incoming,
          organizationId: call.organization_id,
          actorId: userId,
          payload: { call: dto, from_user_id: userId },
          rooms: members.filter((m) => m !== userId).map((m) => Rooms.member(call.organization_id, m)),
          requestId: ctx.requestId,
        });
        await this.audit.record(em, ctx, {
          action: 'call.started',
          resourceType: 'call',
          resourceId: call.id,
          target: chat.name,
          after: { call_type: callType, status: 'ringing' },
          metadata: { chat_id: chat.id },
        });
        return dto;
      });
    } catch (err) {
      // Two starts at once: both saw no open call, the unique index let one in.
      if (isUniqueViolation(err, 'uq_calls_one_open_per_chat')) throw MessagingError.call_in_progress();
      throw err;
    }
  }

  /** The chat's call that has not ended, or null. */
  async active(ctx: RequestContext, chatId: string): Promise<CallDto | null> {
    const { chat } = await this.chats.seat(ctx, chatId);
    const em = this.dataSource.manager;
    const call = await CallStore.openInChat(em, chat.organizationId, chat.id);
    return call ? CallDto.from(call, await CallStore.participants(em, call.id)) : null;
  }

  async get(ctx: RequestContext, callId: string): Promise<CallDto> {
    const em = this.dataSource.manager;
    const call = await CallStore.forMember(em, ctx.requireOrganizationId(), ctx.requireUserId(), callId, false);
    return CallDto.from(call, await CallStore.participants(em, call.id));
  }

  /** Joins (answers) the call; the first answer makes a ringing call active. Joining twice changes nothing. */
  async join(ctx: RequestContext, callId: string): Promise<CallDto> {
    return this.act(ctx, callId, async (em, call, userId, participants) => {
      if (participants.find((p) => p.user_id === userId)?.state === 'joined') return CallDto.from(call, participants);
      await CallStore.setState(em, call, userId, 'joined');
      if (call.status === 'ringing') await CallStore.markActive(em, call.id);
      const answered = CallDto.from(await this.reload(em, call), await CallStore.participants(em, call.id));
      await this.lifecycle.toChat(em, ctx, call, CallEvent.answered, {
        call_id: call.id,
        chat_id: call.chat_id,
        user_id: userId,
        call: answered,
      });
      return answered;
    });
  }

  /** Leaves the call; the last one out ends it (`completed`, or `cancelled` while still ringing). */
  async leave(ctx: RequestContext, callId: string): Promise<CallDto> {
    return this.act(ctx, callId, async (em, call, userId, participants) => {
      requireJoined(participants, userId);
      await this.lifecycle.leave(em, ctx, call, userId, 'left');
    });
  }

  /** Ends the call for everyone; only someone in it may. */
  async end(ctx: RequestContext, callId: string): Promise<CallDto> {
    return this.act(ctx, callId, async (em, call, userId, participants) => {
      requireJoined(participants, userId);
      await this.lifecycle.end(em, ctx, call, call.status === 'ringing' ? 'cancelled' : 'completed', userId);
    });
  }

  /** Declines a call that is ringing for the caller; when nobody is left to ring and nobody answered, it ends `rejected`. */
  async reject(ctx: RequestContext, callId: string): Promise<CallDto> {
    return this.act(ctx, callId, async (em, call, userId, participants) => {
      if (participants.find((p) => p.user_id === userId)?.state !== 'invited') throw MessagingError.call_not_invited();
      await CallStore.setState(em, call, userId, 'rejected');
      await this.lifecycle.toChat(em, ctx, call, CallEvent.reject, { call_id: call.id, chat_id: call.chat_id, user_id: userId });
      const ringingOthers = participants.some((p) => p.user_id !== userId && p.state === 'invited');
      if (call.status === 'ringing' && !ringingOthers) await this.lifecycle.end(em, ctx, call, 'rejected', userId);
    });
  }

  /** Turns the caller's microphone and camera on or off (`call:media` to those in the call). */
  async media(ctx: RequestContext, callId: string, media: { audio: boolean; video: boolean }): Promise<CallDto> {
    return this.act(ctx, callId, async (em, call, userId, participants) => {
      requireJoined(participants, userId);
      await CallStore.setMedia(em, call.id, userId, media);
      const joined = participants.filter((p) => p.state === 'joined');
      this.outbox.add(em, {
        name: CallEvent.media,
        organizationId: call.organization_id,
        actorId: userId,
        payload: { call_id: call.id, chat_id: call.chat_id, user_id: userId, audio_enabled: media.audio, video_enabled: media.video },
        rooms: joined.map((p) => Rooms.member(call.organization_id, p.user_id)),
        requestId: ctx.requestId,
      });
    });
  }

  /**
   * Runs a change on the locked call (404 unless the caller is in its chat; 409 once it has ended), handing it the
   * participants as they were before, and returns the call after (what the change returns, or the call read again).
   */
  private async act(
    ctx: RequestContext,
    callId: string,
    change: (em: EntityManager, call: CallRow, userId: string, participants: ParticipantRow[]) => Promise<CallDto | void>,
  ): Promise<CallDto> {
    const userId = ctx.requireUserId();
    return this.dataSource.transaction(async (em) => {
      const call = await CallStore.forMember(em, ctx.requireOrganizationId(), userId, callId);
      if (call.status === 'ended') throw MessagingError.call_ended();
      const after = await change(em, call, userId, await CallStore.participants(em, call.id));
      return after ?? CallDto.from(await this.reload(em, call), await CallStore.participants(em, call.id));
    });
  }

  private async reload(em: EntityManager, call: CallRow): Promise<CallRow> {
    return (await CallStore.lockById(em, call.organization_id, call.id)) ?? call;
  }
}

function requireJoined(participants: ParticipantRow[], userId: string): void {
  if (participants.find((p) => p.user_id === userId)?.state !== 'joined') throw MessagingError.call_not_joined();
}

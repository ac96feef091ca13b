import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { isUuid, Outbox, type RequestContext, returnedRows, TenantRepository } from '@atrium/platform';
import { writeSystemMessage } from '../messages/system-messages.js';
import { MessagingError } from '../messaging.errors.js';
import type { SystemEvent } from '../messages/system-fields.js';
import { ChatAccess } from './chat-access.js';
import { addChatEvent, ChatEvents, type MemberAddedPayload, type MemberRemovedPayload } from './chat-events.js';
import { Chat } from './chat.entity.js';
import { ChatService } from './chat.service.js';
import { assertOrganizationMembers } from './organization-members.js';

type Departure = MemberRemovedPayload['reason'];

const AUDIT_ACTION: Record<Departure, string> = {
  removed: 'chat.member_removed',
  revoked: 'chat.member_removed',
  left: 'chat.member_left',
};

const SYSTEM_EVENT: Record<Departure, SystemEvent> = {
  removed: 'member_removed',
  revoked: 'member_revoked',
  left: 'member_left',
};

/** Who is in a group: adding and removing members, leaving, and losing every chat with the organization. */
@Injectable()
export class ChatMembershipService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: ChatAccess,
    private readonly chats: ChatService,
    private readonly audit: AuditWriter,
    private readonly outbox: Outbox,
  ) {}

  /** A group's admins add active members of the organization; ids already in the chat are refused (409 naming them). */
  async add(ctx: RequestContext, chatId: string, memberIds: string[]): Promise<void> {
    const ids = [...new Set(memberIds.map((id) => id.toLowerCase()))];
    await this.dataSource.transaction(async (em) => {
      const seat = await this.access.seat(ctx, chatId, em, true);
      if (seat.chat.type === 'direct') throw MessagingError.direct_chat_members_fixed();
      if (seat.role !== 'admin') throw MessagingError.chat_admin_required();
      await assertOrganizationMembers(em, seat.chat.organizationId, ids);
      const current = new Set(await this.access.memberIds(chatId, em));
      const already = ids.filter((id) => current.has(id));
      if (already.length) {
        throw MessagingError.already_chat_members(`Already members of this chat: ${already.join(', ')}`, { user_ids: already });
      }
      await em.query(
        `INSERT INTO chat_members (chat_id, user_id, organization_id, role, joined_at)
         SELECT $1, u.id, $2, 'member', now() + (u.n - 1) * interval '1 microsecond' FROM unnest($3::uuid[]) WITH ORDINALITY AS u(id, n)`,
        [chatId, seat.chat.organizationId, ids],
      );
      await this.audit.record(em, ctx, {
        action: 'chat.member_added',
        resourceType: 'chat',
        resourceId: chatId,
        target: seat.chat.name,
        metadata: { user_ids: ids },
      });
      const payload: MemberAddedPayload = { chat_id: chatId, user_ids: ids, added_by: ctx.userId ?? null };
      addChatEvent(this.outbox, em, ctx, chatId, ChatEvents.memberAdded, payload);
      await writeSystemMessage(this.outbox, em, ctx, chatId, { event: 'members_added', actor_id: ctx.userId ?? null, user_ids: ids });
    });
  }

  /** A group's admins remove a member (removing yourself is leaving). */
  async remove(ctx: RequestContext, chatId: string, memberId: string): Promise<void> {
    if (memberId.toLowerCase() === ctx.requireUserId()) return this.leave(ctx, chatId);
    await this.dataSource.transaction(async (em) => {
      const seat = await this.access.seat(ctx, chatId, em, true);
      if (seat.chat.type === 'direct') throw MessagingError.direct_chat_members_fixed();
      if (seat.role !== 'admin') throw MessagingError.chat_admin_required();
      if (!isUuid(memberId)) throw MessagingError.chat_member_not_found();
      const removed = await this.detach(em, ctx, seat.chat, memberId.toLowerCase(), 'removed');
      if (!removed) throw MessagingError.chat_member_not_found();
    });
  }

  /** The caller leaves a group: the last admin hands admin to the oldest member; the last member deletes the chat. */
  async leave(ctx: RequestContext, chatId: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const seat = await this.access.seat(ctx, chatId, em, true);
      if (seat.chat.type === 'direct') throw MessagingError.direct_chat_members_fixed();
      await this.detach(em, ctx, seat.chat, ctx.requireUserId(), 'left');
    });
  }

  /**
   * A member who lost the organization loses every chat of it at once (direct ones too). Runs as the outbox
   * subscriber of `member.revoked`, in its transaction: `ctx` is a system context acting for the organization.
   */
  async removeFromOrganization(em: EntityManager, ctx: RequestContext, userId: string): Promise<void> {
    // Locked in id order: concurrent removals of two members never wait on each other in a circle.
    const chats: Chat[] = await TenantRepository.for(em, Chat, 'Chat')
      .query(ctx, 'c')
      .innerJoin('chat_members', 'm', 'm.chat_id = c.id AND m.user_id = :userId', { userId })
      .orderBy('c.id')
      .forUpdate(['c'])
      .getMany();
    for (const chat of chats) await this.detach(em, ctx, chat, userId, 'revoked');
  }

  /**
   * Takes `userId` out of `chat` (locked by the caller): audit, `chat:member_removed` (their sockets then leave the
   * room), admin handed to the oldest member when the last admin goes, the chat deleted when nobody is left. A chat
   * that stays gets a SYSTEM message for the departure and one for a new admin. False when they were not in it.
   */
  private async detach(em: EntityManager, ctx: RequestContext, chat: Chat, userId: string, reason: Departure): Promise<boolean> {
    const gone = returnedRows<{ role: string }>(
      await em.query(`DELETE FROM chat_members WHERE chat_id = $1 AND user_id = $2 RETURNING role`, [chat.id, userId]),
    );
    if (!gone.length) return false;
    let newAdminId: string | null = null;
    if (gone[0].role === 'admin' && chat.type === 'group') {
      const promoted = returnedRows<{ user_id: string }>(
        await em.query(
          `UPDATE chat_members SET role = 'admin'
          WHERE chat_id = $1 AND NOT EXISTS (SELECT 1 FROM chat_members WHERE chat_id = $1 AND role = 'admin')
            AND user_id = (SELECT user_id FROM chat_members WHERE chat_id = $1 ORDER BY joined_at, user_id LIMIT 1)
          RETURNING user_id`,
          [chat.id],
        ),
      );
      newAdminId = promoted[0]?.user_id ?? null;
    }
    await this.audit.record(em, ctx, {
      action: AUDIT_ACTION[reason],
      resourceType: 'chat',
      resourceId: chat.id,
      target: chat.name,
      metadata: { user_id: userId, reason, new_admin_id: newAdminId },
    });
    const payload: MemberRemovedPayload = {
      chat_id: chat.id,
      user_id: userId,
      removed_by: ctx.userId ?? null,
      reason,
      new_admin_id: newAdminId,
    };
    addChatEvent(this.outbox, em, ctx, chat.id, ChatEvents.memberRemoved, payload);
    const [{ n }]: Array<{ n: number }> = await em.query(`SELECT count(*)::int AS n FROM chat_members WHERE chat_id = $1`, [chat.id]);
    if (n === 0) {
      await this.chats.remove(em, ctx, chat);
      return true;
    }
    const actorId = ctx.userId ?? null;
    await writeSystemMessage(this.outbox, em, ctx, chat.id, { event: SYSTEM_EVENT[reason], actor_id: actorId, user_ids: [userId] });
    if (newAdminId) {
      await writeSystemMessage(this.outbox, em, ctx, chat.id, { event: 'admin_assigned', actor_id: actorId, user_ids: [newAdminId] });
    }
    return true;
  }
}

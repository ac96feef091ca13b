import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { isUuid, Outbox, type RequestContext, TenantRepository } from '@atrium/platform';
import { writeSystemMessage } from '../messages/system-messages.js';
import { MessagingError } from '../messaging.errors.js';
import { ChatAccess } from './chat-access.js';
import { type ChatCreatedPayload, addChatEvent, ChatEvents } from './chat-events.js';
import { Chat, directKey } from './chat.entity.js';
import type { CreateChatDto, UpdateChatDto } from './dto/chat.dto.js';
import { assertOrganizationMembers } from './organization-members.js';

/** Whether POST /chats made a chat or found the pair's direct chat. */
export interface CreatedChat {
  id: string;
  created: boolean;
}

const snapshot = (c: Pick<Chat, 'name' | 'description'>) => ({ name: c.name, description: c.description });

/** Creating, renaming and deleting chats. Membership changes are ChatMembershipService's. */
@Injectable()
export class ChatService {
  private readonly chats: TenantRepository<Chat>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly access: ChatAccess,
    private readonly audit: AuditWriter,
    private readonly outbox: Outbox,
  ) {
    this.chats = TenantRepository.for(dataSource, Chat, 'Chat');
  }

  /**
   * A direct chat for the caller and one other member (the pair's existing chat when there is one, also when two
   * creates race: they meet on the unique `direct_key`), or a group with the caller as its admin.
   */
  async create(ctx: RequestContext, dto: CreateChatDto): Promise<CreatedChat> {
    const organizationId = ctx.requireOrganizationId();
    const userId = ctx.requireUserId();
    const others = [...new Set(dto.member_ids.map((id) => id.toLowerCase()))].filter((id) => id !== userId);
    if (dto.type === 'direct' && (others.length !== 1 || dto.member_ids.length !== 1)) throw MessagingError.direct_chat_needs_one_member();
    if (dto.type === 'group' && !dto.name) throw MessagingError.group_chat_needs_name();
    if (dto.type === 'direct' && (dto.name || dto.description)) throw MessagingError.direct_chat_not_editable();
    await assertOrganizationMembers(this.dataSource.manager, organizationId, others);
    return this.dataSource.transaction((em) =>
      dto.type === 'direct' ? this.createDirect(em, ctx, others[0]) : this.createGroup(em, ctx, dto, others),
    );
  }

  private async createDirect(em: EntityManager, ctx: RequestContext, otherId: string): Promise<CreatedChat> {
    const organizationId = ctx.requireOrganizationId();
    const userId = ctx.requireUserId();
    const key = directKey(userId, otherId);
    const inserted: Array<{ id: string }> = await em.query(
      `INSERT INTO chats (organization_id, type, direct_key, created_by) VALUES ($1, 'direct', $2, $3)
       ON CONFLICT (organization_id, direct_key) WHERE direct_key IS NOT NULL DO NOTHING RETURNING id`,
      [organizationId, key, userId],
    );
    const id = inserted[0]?.id ?? (await this.directChatId(em, organizationId, key));
    // Both seats, also for a pair's existing chat one of them lost (a member revoked, then back).
    const seated: Array<{ user_id: string }> = await em.query(
      `INSERT INTO chat_members (chat_id, user_id, organization_id, role)
       SELECT $1, u, $2, 'member' FROM unnest($3::uuid[]) AS u
       ON CONFLICT (chat_id, user_id) DO NOTHING RETURNING user_id`,
      [id, organizationId, [userId, otherId]],
    );
    if (inserted.length) {
      await this.recordCreated(em, ctx, id, 'direct', null, null, [userId, otherId]);
    } else if (seated.length) {
      addChatEvent(this.outbox, em, ctx, id, ChatEvents.memberAdded, {
        chat_id: id,
        user_ids: seated.map((s) => s.user_id),
        added_by: userId,
      });
    }
    return { id, created: inserted.length > 0 };
  }

  private async directChatId(em: EntityManager, organizationId: string, key: string): Promise<string> {
    const [row]: Array<{ id: string }> = await em.query(`SELECT id FROM chats WHERE organization_id = $1 AND direct_key = $2`, [
      organizationId,
      key,
    ]);
    return row.id;
  }

  private async createGroup(em: EntityManager, ctx: RequestContext, dto: CreateChatDto, others: string[]): Promise<CreatedChat> {
    const userId = ctx.requireUserId();
    const chat = await this.chats.with(em).create(ctx, {
      type: 'group',
      name: dto.name!,
      description: dto.description ?? null,
      createdBy: userId,
    });
    await em.query(
      `INSERT INTO chat_members (chat_id, user_id, organization_id, role, joined_at)
       SELECT $1, u.id, $2, CASE WHEN u.id = $3 THEN 'admin' ELSE 'member' END, now() + (u.n - 1) * interval '1 microsecond'
         FROM unnest($4::uuid[]) WITH ORDINALITY AS u(id, n)`,
      [chat.id, chat.organizationId, userId, [userId, ...others]],
    );
    await this.recordCreated(em, ctx, chat.id, 'group', chat.name, chat.description, [userId, ...others]);
    return { id: chat.id, created: true };
  }

  private async recordCreated(
    em: EntityManager,
    ctx: RequestContext,
    id: string,
    type: string,
    name: string | null,
    description: string | null,
    memberIds: string[],
  ): Promise<void> {
    await this.audit.record(em, ctx, {
      action: 'chat.created',
      resourceType: 'chat',
      resourceId: id,
      target: name,
      after: { type, name, description, member_ids: memberIds },
    });
    const payload: ChatCreatedPayload = {
      id,
      type,
      name,
      description,
      created_by: ctx.userId ?? null,
      member_ids: memberIds,
      created_at: new Date().toISOString(),
    };
    addChatEvent(this.outbox, em, ctx, id, ChatEvents.created, payload);
  }

  /**
   * Renames a group or changes its description (its admins); a direct chat has neither (409). A new name leaves a
   * SYSTEM message (`chat_renamed`) in the chat's history.
   */
  async update(ctx: RequestContext, chatId: string, dto: UpdateChatDto): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const seat = await this.access.seat(ctx, chatId, em, true);
      if (seat.chat.type === 'direct') throw MessagingError.direct_chat_not_editable();
      if (seat.role !== 'admin') throw MessagingError.chat_admin_required();
      const before = snapshot(seat.chat);
      const chat = seat.chat;
      if (dto.name !== undefined) chat.name = dto.name;
      if (dto.description !== undefined) chat.description = dto.description || null;
      if (chat.name === before.name && chat.description === before.description) return;
      const saved = await this.chats.with(em).save(ctx, chat);
      await this.audit.record(em, ctx, {
        action: 'chat.updated',
        resourceType: 'chat',
        resourceId: chatId,
        target: saved.name,
        before,
        after: snapshot(saved),
      });
      addChatEvent(this.outbox, em, ctx, chatId, ChatEvents.updated, {
        id: chatId,
        ...snapshot(saved),
        updated_by: ctx.userId ?? null,
        updated_at: saved.updatedAt.toISOString(),
      });
      // After the save: the entity's counters are stale once the message took its seq.
      if (saved.name !== before.name) {
        await writeSystemMessage(this.outbox, em, ctx, chatId, { event: 'chat_renamed', actor_id: ctx.userId ?? null, name: saved.name! });
      }
    });
  }

  /**
   * Deletes a chat with its messages: a group's admins, or a moderator (`chats.manage`, also for chats they are not in,
   * and for direct chats).
   */
  async delete(ctx: RequestContext, chatId: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      let chat: Chat;
      if (ctx.can('chats.manage')) chat = await this.moderatedChat(em, ctx, chatId);
      else {
        const seat = await this.access.seat(ctx, chatId, em, true);
        if (seat.chat.type === 'direct' || seat.role !== 'admin') throw MessagingError.chat_delete_forbidden();
        chat = seat.chat;
      }
      await this.remove(em, ctx, chat);
    });
  }

  /** Deletes `chat` in `em`'s transaction, with its audit entry and `chat:deleted` (its room's sockets then leave it). */
  async remove(em: EntityManager, ctx: RequestContext, chat: Chat): Promise<void> {
    const memberIds = await this.access.memberIds(chat.id, em);
    await em.query(`DELETE FROM chats WHERE id = $1 AND organization_id = $2`, [chat.id, chat.organizationId]);
    await this.audit.record(em, ctx, {
      action: 'chat.deleted',
      resourceType: 'chat',
      resourceId: chat.id,
      target: chat.name,
      before: { type: chat.type, ...snapshot(chat), member_ids: memberIds, last_seq: chat.lastSeq },
    });
    addChatEvent(this.outbox, em, ctx, chat.id, ChatEvents.deleted, { id: chat.id, deleted_by: ctx.userId ?? null });
  }

  /** Any chat of the organization, locked (moderators reach chats they are not in). */
  private async moderatedChat(em: EntityManager, ctx: RequestContext, chatId: string): Promise<Chat> {
    if (!isUuid(chatId)) throw MessagingError.chat_not_found();
    const locked: unknown[] = await em.query(`SELECT 1 FROM chats WHERE id = $1 AND organization_id = $2 FOR UPDATE`, [
      chatId,
      ctx.requireOrganizationId(),
    ]);
    if (!locked.length) throw MessagingError.chat_not_found();
    return this.chats.with(em).getById(ctx, chatId);
  }
}

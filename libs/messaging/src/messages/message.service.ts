import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { isUuid, Outbox, type Page, pageOffset, type RequestContext, TenantRepository, toPage } from '@atrium/platform';
import { ChatAccess } from '../chats/chat-access.js';
import { addChatEvent, ChatEvents } from '../chats/chat-events.js';
import { chatName, displayName } from '../chats/display-names.js';
import { MessagingConfig } from '../messaging.config.js';
import { MessagingError } from '../messaging.errors.js';
import { MessageDto, type MessageQueryDto, type SendMessageDto } from './dto/message.dto.js';
import { mentionedIds } from './mentions.js';
import { Message } from './message.entity.js';

/**
 * `chat.mentioned`'s payload (no rooms: the notifications feature turns it into notifications), with the names and
 * text its notification shows, read where the message is written.
 */
export interface MentionedPayload {
  chat_id: string;
  message_id: string;
  user_ids: string[];
  sender_id: string;
  sender_name: string | null;
  /** The group's name; null for a direct chat. */
  chat_name: string | null;
  content: string;
}

/** Thrown inside the sending transaction to roll it back when nothing was inserted (duplicate or not a member). */
class NothingSent extends Error {}

/**
 * One statement numbers and stores a message: the chat row's UPDATE takes the next seq and holds the row lock until
 * COMMIT (so seqs follow commit order with no gaps), only for a member of the chat in this organization; the sender's
 * read marker moves to their own message; a repeated client_message_id meets the first message on its unique key.
 */
const SEND = `
  WITH c AS (
    UPDATE chats SET last_seq = last_seq + 1, last_message_at = now()
     WHERE id = $1 AND organization_id = $2 AND EXISTS (SELECT 1 FROM chat_members WHERE chat_id = $1 AND user_id = $3)
     RETURNING last_seq, system_count
  ), r AS (
    UPDATE chat_members SET last_read_seq = c.last_seq, read_system_count = c.system_count FROM c WHERE chat_id = $1 AND user_id = $3
  )
  INSERT INTO messages (organization_id, chat_id, seq, sender_id, message_type, content, client_message_id, mentions)
  SELECT $2, $1, c.last_seq, $3, 'TEXT', $4, $5, $6::uuid[] FROM c
  ON CONFLICT ON CONSTRAINT uq_messages_client_id DO NOTHING
  RETURNING id, seq, created_at`;

/** Sending, reading, editing and deleting messages. */
@Injectable()
export class MessageService {
  private readonly messages: TenantRepository<Message>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly access: ChatAccess,
    private readonly outbox: Outbox,
    private readonly config: MessagingConfig,
    private readonly audit: AuditWriter,
  ) {
    this.messages = TenantRepository.for(dataSource, Message, 'Message');
  }

  /** Stores the message, then (after commit, through the outbox) pushes `message:new` to the chat's room. */
  async send(ctx: RequestContext, chatId: string, dto: SendMessageDto): Promise<MessageDto> {
    const organizationId = ctx.requireOrganizationId();
    const userId = ctx.requireUserId();
    if (!isUuid(chatId)) throw MessagingError.chat_not_found();
    const mentions = mentionedIds(dto.content);
    if (mentions.length) await this.assertMentionable(this.dataSource.manager, ctx, chatId, mentions);
    const clientId = dto.client_message_id ?? null;
    try {
      return await this.dataSource.transaction(async (em) => {
        const rows: Array<{ id: string; seq: string; created_at: Date }> = await em.query(SEND, [
          chatId,
          organizationId,
          userId,
          dto.content,
          clientId,
          mentions,
        ]);
        if (!rows.length) throw new NothingSent();
        const message: MessageDto = {
          id: rows[0].id,
          chat_id: chatId,
          seq: Number(rows[0].seq),
          sender_id: userId,
          message_type: 'TEXT',
          content: dto.content,
          client_message_id: clientId,
          mentions,
          system: null,
          created_at: rows[0].created_at.toISOString(),
          edited_at: null,
          deleted_at: null,
          deleted_by: null,
        };
        addChatEvent(this.outbox, em, ctx, chatId, ChatEvents.messageNew, message);
        if (mentions.length) await this.addMentioned(em, ctx, chatId, message.id, mentions, dto.content);
        return message;
      });
    } catch (err) {
      if (!(err instanceof NothingSent)) throw err;
      // Not a member (404), or a retry of a message already stored: answer that one.
      await this.access.seat(ctx, chatId);
      const first = clientId ? await this.messages.findOne(ctx, { chatId, senderId: userId, clientMessageId: clientId }) : null;
      if (!first) throw MessagingError.chat_not_found();
      return MessageDto.from(first);
    }
  }

  /**
   * Newest first, paged; `before` for older pages (infinite scroll), `after` oldest first (catching up after a
   * reconnect), `search` full-text (words as typed, any language; no operators or wildcards) over TEXT messages only:
   * SYSTEM texts (renames, calls) would match every search for a member's name.
   */
  async list(ctx: RequestContext, chatId: string, query: MessageQueryDto): Promise<Page<MessageDto>> {
    const { chat } = await this.access.seat(ctx, chatId);
    const qb = this.messages.query(ctx, 'm').andWhere('m.chat_id = :chatId', { chatId: chat.id });
    let total: number | undefined;
    if (query.after !== undefined) {
      qb.andWhere('m.seq > :after', { after: query.after }).orderBy('m.seq', 'ASC');
      total = Math.max(0, chat.lastSeq - query.after);
    } else {
      qb.orderBy('m.seq', 'DESC');
      if (query.before !== undefined) qb.andWhere('m.seq < :before', { before: query.before });
      total = query.before !== undefined ? Math.min(chat.lastSeq, query.before - 1) : chat.lastSeq;
    }
    if (query.search) {
      qb.andWhere(`m.search @@ plainto_tsquery('simple', :search) AND m.message_type = 'TEXT'`, { search: query.search });
      total = undefined;
    }
    qb.offset(pageOffset(query)).limit(query.limit);
    const [rows, counted] = total === undefined ? await qb.getManyAndCount() : [await qb.getMany(), total];
    return toPage(
      rows.map((m) => MessageDto.from(m)),
      counted,
      query,
    );
  }

  /**
   * The author changes a message within MESSAGE_EDIT_WINDOW_SECONDS of sending it; `message:updated` follows. SYSTEM
   * messages have no author to change them (409).
   */
  async edit(ctx: RequestContext, chatId: string, messageId: string, content: string): Promise<MessageDto> {
    const userId = ctx.requireUserId();
    const mentions = mentionedIds(content);
    return this.dataSource.transaction(async (em) => {
      await this.access.seat(ctx, chatId, em);
      const message = await this.message(em, ctx, chatId, messageId);
      if (message.messageType === 'SYSTEM') throw MessagingError.system_message_not_editable();
      if (message.senderId !== userId) throw MessagingError.message_author_required();
      if (message.deletedAt) throw MessagingError.message_deleted();
      if (Date.now() - message.createdAt.getTime() > this.config.editWindowSeconds * 1000)
        throw MessagingError.message_edit_window_closed();
      if (mentions.length) await this.assertMentionable(em, ctx, chatId, mentions);
      const added = mentions.filter((id) => !message.mentions.includes(id));
      message.content = content;
      message.mentions = mentions;
      message.editedAt = new Date();
      const dto = MessageDto.from(await this.messages.with(em).save(ctx, message));
      addChatEvent(this.outbox, em, ctx, chatId, ChatEvents.messageUpdated, dto);
      if (added.length) await this.addMentioned(em, ctx, chatId, message.id, added, content);
      return dto;
    });
  }

  /**
   * The author, a chat admin or a moderator (`chats.manage`, also in chats they are not in) deletes a message: its
   * content goes, a tombstone (deleted_at, deleted_by) stays so seqs keep no gaps; `message:deleted` follows. A SYSTEM
   * message has no author: its actor is not one, so only admins and moderators delete it. Deleting another member's
   * message is moderation and is audited (`message.deleted`, with the author and seq, never the content); authors
   * deleting their own are not, as sending is not.
   */
  async delete(ctx: RequestContext, chatId: string, messageId: string): Promise<void> {
    const userId = ctx.requireUserId();
    await this.dataSource.transaction(async (em) => {
      const moderator = ctx.can('chats.manage');
      const seat = await this.access.seat(ctx, chatId, em).catch((err: unknown) => {
        if (moderator) return undefined;
        throw err;
      });
      const message = await this.message(em, ctx, chatId, messageId);
      if (message.deletedAt) throw MessagingError.message_deleted();
      const author = message.messageType === 'TEXT' && message.senderId === userId;
      if (!moderator && !author && seat?.role !== 'admin') throw MessagingError.message_delete_forbidden();
      message.content = null;
      message.mentions = [];
      message.system = null;
      message.deletedAt = new Date();
      message.deletedBy = userId;
      await this.messages.with(em).save(ctx, message);
      if (!author) {
        await this.audit.record(em, ctx, {
          action: 'message.deleted',
          resourceType: 'message',
          resourceId: message.id,
          target: `Message ${message.seq} in chat ${chatId}`,
          before: { chat_id: chatId, seq: message.seq, sender_id: message.senderId, message_type: message.messageType },
        });
      }
      addChatEvent(this.outbox, em, ctx, chatId, ChatEvents.messageDeleted, {
        id: message.id,
        chat_id: chatId,
        seq: message.seq,
        deleted_at: message.deletedAt.toISOString(),
        deleted_by: userId,
      });
    });
  }

  /** The message of this chat in the context's organization, locked until the transaction ends; else 404. */
  private async message(em: EntityManager, ctx: RequestContext, chatId: string, messageId: string): Promise<Message> {
    if (!isUuid(messageId) || !isUuid(chatId)) throw MessagingError.message_not_found();
    const message = await this.messages
      .with(em)
      .query(ctx, 'm')
      .andWhere('m.id = :messageId AND m.chat_id = :chatId', { messageId, chatId })
      .forUpdate()
      .getOne();
    if (!message) throw MessagingError.message_not_found();
    return message;
  }

  /** Mentioned ids must be members of the chat (400 naming the others); the caller must be in it (else 404). */
  private async assertMentionable(em: EntityManager, ctx: RequestContext, chatId: string, ids: string[]): Promise<void> {
    const [row]: Array<{ me: boolean; missing: string[] }> = await em.query(
      `SELECT EXISTS (SELECT 1 FROM chat_members m JOIN chats c ON c.id = m.chat_id
                       WHERE m.chat_id = $1 AND m.user_id = $2 AND c.organization_id = $3) AS me,
              ARRAY(SELECT u FROM unnest($4::uuid[]) AS u
                     WHERE NOT EXISTS (SELECT 1 FROM chat_members WHERE chat_id = $1 AND user_id = u))::text[] AS missing`,
      [chatId, ctx.requireUserId(), ctx.requireOrganizationId(), ids],
    );
    if (!row.me) throw MessagingError.chat_not_found();
    if (row.missing.length) {
      throw MessagingError.mentions_not_in_chat(`Mentioned users who are not members of this chat: ${row.missing.join(', ')}`, {
        user_ids: row.missing,
      });
    }
  }

  private async addMentioned(
    em: EntityManager,
    ctx: RequestContext,
    chatId: string,
    messageId: string,
    userIds: string[],
    content: string,
  ): Promise<void> {
    const senderId = ctx.requireUserId();
    const payload: MentionedPayload = {
      chat_id: chatId,
      message_id: messageId,
      user_ids: userIds,
      sender_id: senderId,
      sender_name: await displayName(em, senderId),
      chat_name: await chatName(em, chatId),
      content,
    };
    this.outbox.add(em, {
      name: ChatEvents.mentioned,
      organizationId: ctx.requireOrganizationId(),
      actorId: ctx.userId,
      payload,
      requestId: ctx.requestId,
    });
  }
}

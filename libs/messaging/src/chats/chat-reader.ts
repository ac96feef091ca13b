import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { isUuid, type Page, pageOffset, type RequestContext, toPage } from '@atrium/platform';
import { MessagingError } from '../messaging.errors.js';
import type { MessageDto } from '../messages/dto/message.dto.js';
import type { SystemFields } from '../messages/system-fields.js';
import type { ChatDto, ChatMemberDto } from './dto/chat.dto.js';
import type { ChatRole, ChatType } from './chat.entity.js';

interface ChatRow {
  id: string;
  type: ChatType;
  name: string | null;
  description: string | null;
  created_by: string | null;
  last_seq: string;
  last_message_at: Date | null;
  created_at: Date;
  updated_at: Date;
  my_role: ChatRole;
  my_read: string;
  system_count: string;
  my_read_system: string;
  total: string;
  m_id: string | null;
  m_seq: string | null;
  m_sender_id: string | null;
  m_type: string | null;
  m_content: string | null;
  m_client_id: string | null;
  m_mentions: string[] | null;
  m_system: SystemFields | null;
  m_created_at: Date | null;
  m_edited_at: Date | null;
  m_deleted_at: Date | null;
  m_deleted_by: string | null;
}

/**
 * The caller's chats, each with its last message, unread count and members: one query for the page (the last message
 * found by the chat's `last_seq` on the `(chat_id, seq)` key) and one for the members of the chats on it.
 */
const CHATS = (filter: string) => `
  SELECT c.id, c.type, c.name, c.description, c.created_by, c.last_seq, c.last_message_at, c.created_at, c.updated_at,
         me.role AS my_role, me.last_read_seq AS my_read, c.system_count, me.read_system_count AS my_read_system,
         count(*) OVER () AS total,
         msg.id AS m_id, msg.seq AS m_seq, msg.sender_id AS m_sender_id, msg.message_type AS m_type, msg.content AS m_content,
         msg.client_message_id AS m_client_id, msg.mentions AS m_mentions, msg.system AS m_system, msg.created_at AS m_created_at,
         msg.edited_at AS m_edited_at, msg.deleted_at AS m_deleted_at, msg.deleted_by AS m_deleted_by
    FROM chat_members me
    JOIN chats c ON c.id = me.chat_id
    LEFT JOIN messages msg ON msg.chat_id = c.id AND msg.seq = c.last_seq
   WHERE me.organization_id = $1 AND me.user_id = $2 ${filter}
   ORDER BY coalesce(c.last_message_at, c.created_at) DESC, c.id`;

@Injectable()
export class ChatReader {
  constructor(private readonly dataSource: DataSource) {}

  async list(ctx: RequestContext, query: { page: number; limit: number }): Promise<Page<ChatDto>> {
    const organizationId = ctx.requireOrganizationId();
    const userId = ctx.requireUserId();
    const rows: ChatRow[] = await this.dataSource.query(`${CHATS('')} LIMIT $3 OFFSET $4`, [
      organizationId,
      userId,
      query.limit,
      pageOffset(query),
    ]);
    let total = rows.length ? Number(rows[0].total) : 0;
    if (!rows.length && query.page > 1) {
      const [{ n }] = await this.dataSource.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM chat_members WHERE organization_id = $1 AND user_id = $2`,
        [organizationId, userId],
      );
      total = n;
    }
    return toPage(await this.withMembers(rows), total, query);
  }

  /** One chat as the caller sees it; 404 when they are not in it. */
  async get(ctx: RequestContext, chatId: string, em: EntityManager = this.dataSource.manager): Promise<ChatDto> {
    if (!isUuid(chatId)) throw MessagingError.chat_not_found();
    const rows: ChatRow[] = await em.query(CHATS('AND c.id = $3'), [ctx.requireOrganizationId(), ctx.requireUserId(), chatId]);
    if (!rows.length) throw MessagingError.chat_not_found();
    const [chat] = await this.withMembers(rows, em);
    return chat;
  }

  private async withMembers(rows: ChatRow[], em: EntityManager = this.dataSource.manager): Promise<ChatDto[]> {
    if (!rows.length) return [];
    const members: Array<ChatMemberDto & { chat_id: string; joined: Date; read: string }> = await em.query(
      `SELECT cm.chat_id, cm.user_id, cm.role, cm.last_read_seq AS read, cm.joined_at AS joined, u.first_name, u.last_name
         FROM chat_members cm JOIN users u ON u.id = cm.user_id
        WHERE cm.chat_id = ANY ($1::uuid[])
        ORDER BY cm.joined_at, cm.user_id`,
      [rows.map((r) => r.id)],
    );
    const byChat = new Map<string, ChatMemberDto[]>();
    for (const m of members) {
      const list = byChat.get(m.chat_id) ?? [];
      list.push({
        user_id: m.user_id,
        role: m.role,
        first_name: m.first_name,
        last_name: m.last_name,
        last_read_seq: Number(m.read),
        joined_at: m.joined.toISOString(),
      });
      byChat.set(m.chat_id, list);
    }
    return rows.map((r) => toChatDto(r, byChat.get(r.id) ?? []));
  }
}

function toChatDto(r: ChatRow, members: ChatMemberDto[]): ChatDto {
  const lastSeq = Number(r.last_seq);
  return {
    id: r.id,
    type: r.type,
    name: r.name,
    description: r.description,
    created_by: r.created_by,
    last_seq: lastSeq,
    last_message_at: r.last_message_at?.toISOString() ?? null,
    last_message: lastMessage(r),
    // SYSTEM messages never count as unread.
    unread_count: Math.max(0, lastSeq - Number(r.my_read) - (Number(r.system_count) - Number(r.my_read_system))),
    my_role: r.my_role,
    members,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

function lastMessage(r: ChatRow): MessageDto | null {
  if (!r.m_id || !r.m_created_at) return null;
  return {
    id: r.m_id,
    chat_id: r.id,
    seq: Number(r.m_seq),
    sender_id: r.m_sender_id,
    message_type: r.m_type ?? 'TEXT',
    content: r.m_content,
    client_message_id: r.m_client_id,
    mentions: r.m_mentions ?? [],
    system: r.m_system,
    created_at: r.m_created_at.toISOString(),
    edited_at: r.m_edited_at?.toISOString() ?? null,
    deleted_at: r.m_deleted_at?.toISOString() ?? null,
    deleted_by: r.m_deleted_by,
  };
}

import { Injectable } from '@nestjs/common';
import { isoSql, isUuid, type Page, pageOffset, PreparedQuery, type RequestContext, StatementPool, toPage } from '@atrium/platform';
import { MessagingError } from '../messaging.errors.js';
import type { MessageDto } from '../messages/dto/message.dto.js';
import type { SystemFields } from '../messages/system-fields.js';
import type { ChatDto, ChatMemberDto } from './dto/chat.dto.js';
import type { ChatRole, ChatType } from './chat.entity.js';

/** The caller's membership rows joined to their chats, in list order (most recent activity first). */
const PICK = `
    SELECT c.id, c.type, c.name, c.description, c.created_by, c.last_seq, c.last_message_at, c.created_at, c.updated_at,
           me.role AS my_role, me.last_read_seq AS my_read, c.system_count, me.read_system_count AS my_read_system
      FROM chat_members me JOIN chats c ON c.id = me.chat_id
     WHERE me.organization_id = $1 AND me.user_id = $2`;

const ORDER = 'ORDER BY coalesce(p.last_message_at, p.created_at) DESC, p.id';

/**
 * A picked chat `p` as the DTO's fields: its last message (by `last_seq` on the `(chat_id, seq)` key) and its members
 * with their names, aggregated per chat in join order, timestamps already as ISO-8601 text.
 */
const CHAT_SELECT = `
  SELECT p.id, p.type, p.name, p.description, p.created_by, p.last_seq, ${isoSql('p.last_message_at')} AS last_message_at,
         ${isoSql('p.created_at')} AS created_at, ${isoSql('p.updated_at')} AS updated_at, p.my_role,
         -- SYSTEM messages never count as unread.
         greatest(p.last_seq - p.my_read - (p.system_count - p.my_read_system), 0) AS unread_count,
         msg.id AS m_id, msg.seq AS m_seq, msg.sender_id AS m_sender_id, msg.message_type AS m_type, msg.content AS m_content,
         msg.client_message_id AS m_client_id, msg.mentions AS m_mentions, msg.system AS m_system, ${isoSql('msg.created_at')} AS m_created_at,
         ${isoSql('msg.edited_at')} AS m_edited_at, ${isoSql('msg.deleted_at')} AS m_deleted_at, msg.deleted_by AS m_deleted_by,
         mem.members`;

const CHAT_DETAILS = `
    LEFT JOIN messages msg ON msg.chat_id = p.id AND msg.seq = p.last_seq
    LEFT JOIN LATERAL (
      SELECT json_agg(json_build_object('user_id', cm.user_id, 'role', cm.role, 'first_name', u.first_name,
                                        'last_name', u.last_name, 'last_read_seq', cm.last_read_seq,
                                        'joined_at', ${isoSql('cm.joined_at')})
                      ORDER BY cm.joined_at, cm.user_id) AS members
        FROM chat_members cm JOIN users u ON u.id = cm.user_id
       WHERE cm.chat_id = p.id) mem ON true`;

/**
 * One page of the caller's chats and how many they are in. The page is picked first (top-N of the member's chats by
 * activity), so the last message and the members are looked up for those rows only. The count is its own index scan,
 * and the page is joined to it, so an empty page (past the end) still answers one row carrying the total.
 */
export const CHAT_LIST_SQL = `
  ${CHAT_SELECT}, t.total
    FROM (SELECT count(*) AS total FROM chat_members WHERE organization_id = $1 AND user_id = $2) t
    LEFT JOIN LATERAL (${PICK}
     ORDER BY coalesce(c.last_message_at, c.created_at) DESC, c.id
     LIMIT $3 OFFSET $4) p ON true
  ${CHAT_DETAILS}
   ${ORDER}`;

/** One chat of the caller's, the same shape as a list row. */
const ONE_SQL = `
  ${CHAT_SELECT}
    FROM (${PICK} AND me.chat_id = $3) p
  ${CHAT_DETAILS}`;

export interface ChatRow {
  id: string;
  type: ChatType;
  name: string | null;
  description: string | null;
  created_by: string | null;
  last_seq: string;
  last_message_at: string | null;
  created_at: string;
  updated_at: string;
  my_role: ChatRole;
  unread_count: string;
  m_id: string | null;
  m_seq: string | null;
  m_sender_id: string | null;
  m_type: string | null;
  m_content: string | null;
  m_client_id: string | null;
  m_mentions: string[] | null;
  m_system: SystemFields | null;
  m_created_at: string | null;
  m_edited_at: string | null;
  m_deleted_at: string | null;
  m_deleted_by: string | null;
  members: ChatMemberDto[] | null;
}

/**
 * The caller's chats as they see them (last message, unread count, members): each read is one named prepared statement
 * on the StatementPool, since the list is fetched on every app start and after every reconnect.
 */
@Injectable()
export class ChatReader {
  private readonly page: PreparedQuery<ChatRow & { total: string }>;
  private readonly one: PreparedQuery<ChatRow>;

  constructor(statements: StatementPool) {
    this.page = new PreparedQuery(statements, 'messaging_chat_list', CHAT_LIST_SQL);
    this.one = new PreparedQuery(statements, 'messaging_chat_one', ONE_SQL);
  }

  async list(ctx: RequestContext, query: { page: number; limit: number }): Promise<Page<ChatDto>> {
    const rows = await this.page.rows([ctx.requireOrganizationId(), ctx.requireUserId(), query.limit, pageOffset(query)]);
    return chatPage(rows, query);
  }

  /** One chat as the caller sees it; 404 when they are not in it. */
  async get(ctx: RequestContext, chatId: string): Promise<ChatDto> {
    if (!isUuid(chatId)) throw MessagingError.chat_not_found();
    const [row] = await this.one.rows([ctx.requireOrganizationId(), ctx.requireUserId(), chatId]);
    if (!row) throw MessagingError.chat_not_found();
    return toChatDto(row);
  }
}

/** The page CHAT_LIST_SQL's rows make (past the last page its one row carries only the total). */
export function chatPage(rows: Array<ChatRow & { total: string }>, query: { page: number; limit: number }): Page<ChatDto> {
  const chats = rows[0]?.id ? rows.map(toChatDto) : [];
  return toPage(chats, Number(rows[0]?.total ?? 0), query);
}

function toChatDto(r: ChatRow): ChatDto {
  return {
    id: r.id,
    type: r.type,
    name: r.name,
    description: r.description,
    created_by: r.created_by,
    last_seq: Number(r.last_seq),
    last_message_at: r.last_message_at,
    last_message: lastMessage(r),
    unread_count: Number(r.unread_count),
    my_role: r.my_role,
    // Never null for a picked chat: the caller is a member of it.
    members: r.members ?? [],
    created_at: r.created_at,
    updated_at: r.updated_at,
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
    created_at: r.m_created_at,
    edited_at: r.m_edited_at,
    deleted_at: r.m_deleted_at,
    deleted_by: r.m_deleted_by,
  };
}

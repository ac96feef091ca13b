import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isUuid, Outbox, type RequestContext } from '@atrium/platform';
import { addChatEvent, ChatEvents, type ChatReadPayload } from '../chats/chat-events.js';
import { MessagingError } from '../messaging.errors.js';
import type { ReadStateDto } from './dto/message.dto.js';

/**
 * Moves the caller's read marker forward (never back) up to a seq the chat has; when it moved, `chat:read` goes to the
 * chat's room (the other members, and the caller's other devices). The SYSTEM messages the marker passes are added to
 * `read_system_count` (counted on the partial index of SYSTEM messages), so unread counts only TEXT messages.
 */
const MARK = `
  WITH me AS (
    SELECT m.last_read_seq AS old, m.read_system_count AS old_system, c.last_seq, c.system_count
      FROM chat_members m JOIN chats c ON c.id = m.chat_id
     WHERE m.chat_id = $1 AND m.user_id = $2 AND c.organization_id = $3
       FOR UPDATE OF m
  ), moved AS (
    UPDATE chat_members m SET last_read_seq = GREATEST(me.old, $4::bigint),
           read_system_count = me.old_system + (SELECT count(*) FROM messages s
             WHERE s.chat_id = $1 AND s.message_type = 'SYSTEM' AND s.seq > me.old AND s.seq <= $4::bigint)
      FROM me WHERE m.chat_id = $1 AND m.user_id = $2 AND $4::bigint <= me.last_seq
    RETURNING m.last_read_seq, m.read_system_count
  )
  SELECT me.old, me.last_seq, me.system_count, moved.last_read_seq AS seq, moved.read_system_count AS read_system
    FROM me LEFT JOIN moved ON true`;

@Injectable()
export class ReadStateService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async markRead(ctx: RequestContext, chatId: string, seq: number): Promise<ReadStateDto> {
    const userId = ctx.requireUserId();
    if (!isUuid(chatId)) throw MessagingError.chat_not_found();
    return this.dataSource.transaction(async (em) => {
      const rows: Array<{ old: string; last_seq: string; system_count: string; seq: string | null; read_system: string | null }> =
        await em.query(MARK, [chatId, userId, ctx.requireOrganizationId(), seq]);
      if (!rows.length) throw MessagingError.chat_not_found();
      const lastSeq = Number(rows[0].last_seq);
      if (rows[0].seq === null) {
        throw MessagingError.read_seq_out_of_range(`seq ${seq} is beyond the newest message of the chat (${lastSeq})`, {
          last_seq: lastSeq,
        });
      }
      const now = Number(rows[0].seq);
      if (now > Number(rows[0].old))
        addChatEvent(this.outbox, em, ctx, chatId, ChatEvents.read, {
          chat_id: chatId,
          user_id: userId,
          seq: now,
        } satisfies ChatReadPayload);
      const unreadSystem = Number(rows[0].system_count) - Number(rows[0].read_system);
      return { chat_id: chatId, user_id: userId, seq: now, unread_count: Math.max(0, lastSeq - now - unreadSystem) };
    });
  }
}

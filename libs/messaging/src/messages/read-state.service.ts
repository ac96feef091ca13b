import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isUuid, Outbox, type RequestContext } from '@atrium/platform';
import { addChatEvent, ChatEvents } from '../chats/chat-events.js';
import { MessagingError } from '../messaging.errors.js';
import type { ReadStateDto } from './dto/message.dto.js';

/**
 * Moves the caller's read marker forward (never back) up to a seq the chat has; when it moved, `chat:read` goes to the
 * chat's room (the other members, and the caller's other devices).
 */
const MARK = `
  WITH me AS (
    SELECT m.last_read_seq AS old, c.last_seq
      FROM chat_members m JOIN chats c ON c.id = m.chat_id
     WHERE m.chat_id = $1 AND m.user_id = $2 AND c.organization_id = $3
       FOR UPDATE OF m
  ), moved AS (
    UPDATE chat_members m SET last_read_seq = GREATEST(me.old, $4::bigint)
      FROM me WHERE m.chat_id = $1 AND m.user_id = $2 AND $4::bigint <= me.last_seq
    RETURNING m.last_read_seq
  )
  SELECT me.old, me.last_seq, (SELECT last_read_seq FROM moved) AS seq FROM me`;

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
      const rows: Array<{ old: string; last_seq: string; seq: string | null }> = await em.query(MARK, [
        chatId,
        userId,
        ctx.requireOrganizationId(),
        seq,
      ]);
      if (!rows.length) throw MessagingError.chat_not_found();
      const lastSeq = Number(rows[0].last_seq);
      if (rows[0].seq === null) {
        throw MessagingError.read_seq_out_of_range(`seq ${seq} is beyond the newest message of the chat (${lastSeq})`, {
          last_seq: lastSeq,
        });
      }
      const now = Number(rows[0].seq);
      if (now > Number(rows[0].old))
        addChatEvent(this.outbox, em, ctx, chatId, ChatEvents.read, { chat_id: chatId, user_id: userId, seq: now });
      return { chat_id: chatId, user_id: userId, seq: now, unread_count: Math.max(0, lastSeq - now) };
    });
  }
}

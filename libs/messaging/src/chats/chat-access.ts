import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { isUuid, type RequestContext, TenantRepository } from '@atrium/platform';
import { MessagingError } from '../messaging.errors.js';
import { Chat, ChatMember, type ChatRole } from './chat.entity.js';

/** A chat as one of its members sees it. */
export interface ChatSeat {
  chat: Chat;
  /** The caller's row in the chat. */
  role: ChatRole;
  lastReadSeq: number;
}

/**
 * Who may see a chat: its members, acting for its organization, while their membership of the organization is
 * active (the credential check refuses a revoked or suspended account's requests before they get here). Everyone
 * else, including another organization, gets 404 `chat_not_found`. Every chat and call route starts here.
 */
@Injectable()
export class ChatAccess {
  private readonly chats: TenantRepository<Chat>;

  constructor(private readonly dataSource: DataSource) {
    this.chats = TenantRepository.for(dataSource, Chat, 'Chat');
  }

  /**
   * The chat and the caller's seat in it, else 404. With `lock`, inside `em`'s transaction, the chat row is locked
   * FOR UPDATE until commit (membership changes and message numbering of one chat then queue on it).
   */
  async seat(ctx: RequestContext, chatId: string, em: EntityManager = this.dataSource.manager, lock = false): Promise<ChatSeat> {
    const userId = ctx.requireUserId();
    if (!isUuid(chatId)) throw MessagingError.chat_not_found();
    // One query: the chat with the caller's membership row mapped onto it (an inner join, so no row without one).
    const query = this.chats
      .with(em)
      .query(ctx, 'c')
      .innerJoinAndMapOne('c.seat', ChatMember, 'm', 'm.chat_id = c.id AND m.user_id = :userId', { userId })
      .andWhere('c.id = :chatId', { chatId });
    if (lock) query.forUpdate(['c']);
    const found: (Chat & { seat?: ChatMember }) | null = await query.getOne();
    if (!found?.seat) throw MessagingError.chat_not_found();
    const { seat, ...fields } = found;
    return { chat: Object.assign(new Chat(), fields), role: seat.role, lastReadSeq: seat.lastReadSeq };
  }

  /** Like `seat`, for chat admins only (403 `chat_admin_required` for other members). */
  async adminSeat(ctx: RequestContext, chatId: string, em?: EntityManager, lock = false): Promise<ChatSeat> {
    const seat = await this.seat(ctx, chatId, em, lock);
    if (seat.role !== 'admin') throw MessagingError.chat_admin_required();
    return seat;
  }

  /** The user ids of a chat's members (the chat must already have been checked against the caller's organization). */
  async memberIds(chatId: string, em: EntityManager = this.dataSource.manager): Promise<string[]> {
    const rows: Array<Pick<ChatMember, 'userId'>> = await em.query(
      `SELECT user_id AS "userId" FROM chat_members WHERE chat_id = $1 ORDER BY joined_at, user_id`,
      [chatId],
    );
    return rows.map((r) => r.userId);
  }
}

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SocketReactionRegistry } from '@atrium/platform';

/** The socket.io room of a chat: every socket of its members acting for the chat's organization joins it. */
export const chatRoom = (chatId: string): string => `chat:${chatId}`;

/** Every socket joins the rooms of its user's chats in the organization it acts for, when it connects. */
@Injectable()
export class ChatRoomsOnConnect implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sockets: SocketReactionRegistry,
  ) {}

  onModuleInit(): void {
    this.sockets.joinRooms(async (ctx) => {
      if (!ctx.userId || !ctx.organizationId) return [];
      const rows = await this.dataSource.query<Array<{ chat_id: string }>>(
        `SELECT chat_id FROM chat_members WHERE organization_id = $1 AND user_id = $2`,
        [ctx.organizationId, ctx.userId],
      );
      return rows.map((r) => chatRoom(r.chat_id));
    });
  }
}

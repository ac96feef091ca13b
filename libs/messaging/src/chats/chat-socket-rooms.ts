import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type DomainEvent, Rooms, SocketReactionRegistry } from '@atrium/platform';
import { type ChatCreatedPayload, ChatEvents, type MemberAddedPayload, type MemberRemovedPayload } from './chat-events.js';
import { chatRoom } from './chat-rooms.js';

const memberRoom = (event: DomainEvent, userId: string) => Rooms.member(event.organizationId ?? '', userId);

/**
 * Keeps chat rooms in step with chat membership on every instance: a socket joins the rooms of its member's chats in
 * the organization it acts for when it connects; members added (or a new chat's members) join its room before the
 * event is pushed, members removed and every socket of a deleted chat leave it after.
 */
@Injectable()
export class ChatSocketRooms implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sockets: SocketReactionRegistry,
  ) {}

  onModuleInit(): void {
    this.sockets.joinRooms(async (ctx) => {
      if (!ctx.userId || !ctx.organizationId) return [];
      const rows: Array<{ chat_id: string }> = await this.dataSource.query(
        `SELECT chat_id FROM chat_members WHERE organization_id = $1 AND user_id = $2`,
        [ctx.organizationId, ctx.userId],
      );
      return rows.map((r) => chatRoom(r.chat_id));
    });
    this.sockets.moveRoomsOn(ChatEvents.created, (e) => {
      const p = e.payload as ChatCreatedPayload;
      return [{ sockets: p.member_ids.map((id) => memberRoom(e, id)), join: [chatRoom(p.id)] }];
    });
    this.sockets.moveRoomsOn(ChatEvents.memberAdded, (e) => {
      const p = e.payload as MemberAddedPayload;
      return [{ sockets: p.user_ids.map((id) => memberRoom(e, id)), join: [chatRoom(p.chat_id)] }];
    });
    this.sockets.moveRoomsOn(ChatEvents.memberRemoved, (e) => {
      const p = e.payload as MemberRemovedPayload;
      return [{ sockets: [memberRoom(e, p.user_id)], leave: [chatRoom(p.chat_id)] }];
    });
    this.sockets.moveRoomsOn(ChatEvents.deleted, (e) => {
      const room = chatRoom((e.payload as { id: string }).id);
      return [{ sockets: [room], leave: [room] }];
    });
  }
}

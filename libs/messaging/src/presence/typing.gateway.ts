import { UseFilters } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { Clock, isUuid, Permissions, type RequestContext, WsCtx, WsExceptionFilter } from '@atrium/platform';
import { chatRoom } from '../chats/chat-rooms.js';
import { MessagingError } from '../messaging.errors.js';

/** A socket relays `typing:start` for one chat at most this often; clients repeat it while the user types. */
export const TYPING_THROTTLE_MS = 2_000;

/**
 * `typing:start` / `typing:stop` {chat_id}: relayed to the chat's other sockets (every instance, through the adapter)
 * as {chat_id, user_id}; never stored. Membership is the socket's own room list: a socket is in `chat:{id}` exactly
 * while its user is a member of that chat (joined at connect, kept current when members change), so no database read
 * is needed per keystroke. A socket outside the chat gets `chat_not_found` on the ack.
 */
@UseFilters(WsExceptionFilter)
@WebSocketGateway()
export class TypingGateway {
  /** Per socket: when it last relayed a start, per chat (cleared on stop). */
  private readonly started = new WeakMap<Socket, Map<string, number>>();

  constructor(private readonly clock: Clock) {}

  @Permissions('chats.use')
  @SubscribeMessage('typing:start')
  start(@ConnectedSocket() socket: Socket, @WsCtx() ctx: RequestContext, @MessageBody() body: unknown): { data: { relayed: boolean } } {
    const chatId = this.chatOf(socket, body);
    const chats = this.started.get(socket) ?? new Map<string, number>();
    this.started.set(socket, chats);
    const now = this.clock.now().getTime();
    const last = chats.get(chatId);
    if (last !== undefined && now - last < TYPING_THROTTLE_MS) return { data: { relayed: false } };
    chats.set(chatId, now);
    socket.to(chatRoom(chatId)).emit('typing:start', { chat_id: chatId, user_id: ctx.userId });
    return { data: { relayed: true } };
  }

  @Permissions('chats.use')
  @SubscribeMessage('typing:stop')
  stop(@ConnectedSocket() socket: Socket, @WsCtx() ctx: RequestContext, @MessageBody() body: unknown): { data: { relayed: boolean } } {
    const chatId = this.chatOf(socket, body);
    // A stop follows a start others heard; without one there is nothing to take back.
    if (!this.started.get(socket)?.delete(chatId)) return { data: { relayed: false } };
    socket.to(chatRoom(chatId)).emit('typing:stop', { chat_id: chatId, user_id: ctx.userId });
    return { data: { relayed: true } };
  }

  private chatOf(socket: Socket, body: unknown): string {
    const chatId = (body as { chat_id?: unknown } | null)?.chat_id;
    if (!isUuid(chatId) || !socket.rooms.has(chatRoom(chatId.toLowerCase()))) throw MessagingError.chat_not_found();
    return chatId.toLowerCase();
  }
}

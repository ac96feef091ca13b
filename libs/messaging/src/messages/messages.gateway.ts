import { UseFilters, UseGuards } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { Permissions, type RequestContext, WsCtx, WsExceptionFilter } from '@atrium/platform';
import { type MessageDto, type ReadStateDto, SocketReadDto, SocketSendMessageDto } from './dto/message.dto.js';
import { MessageService } from './message.service.js';
import { ReadStateService } from './read-state.service.js';
import { SocketPayloadLimit, SocketSendLimit } from './socket-send-limit.js';

/**
 * `message:send` and `message:read` over socket.io: the same services, permissions and answers as REST, acknowledged
 * with `{ data }` or the error body. Bodies are size-capped; sends are rate-limited per socket.
 */
@UseFilters(WsExceptionFilter)
@UseGuards(SocketPayloadLimit)
@WebSocketGateway()
export class MessagesGateway {
  constructor(
    private readonly messages: MessageService,
    private readonly reads: ReadStateService,
  ) {}

  @Permissions('chats.use')
  @UseGuards(SocketSendLimit)
  @SubscribeMessage('message:send')
  async send(@WsCtx() ctx: RequestContext, @MessageBody() dto: SocketSendMessageDto): Promise<{ data: MessageDto }> {
    const { chat_id: chatId, ...body } = dto;
    return { data: await this.messages.send(ctx, chatId, body) };
  }

  @Permissions('chats.use')
  @SubscribeMessage('message:read')
  async read(@WsCtx() ctx: RequestContext, @MessageBody() dto: SocketReadDto): Promise<{ data: ReadStateDto }> {
    return { data: await this.reads.markRead(ctx, dto.chat_id, dto.seq) };
  }
}

import { Logger, UseFilters } from '@nestjs/common';
import { MessageBody, type OnGatewayDisconnect, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { DataSource } from 'typeorm';
import {
  Permissions,
  type RequestContext,
  RequiresFeature,
  Rooms,
  safeError,
  socketContext,
  WsCtx,
  WsExceptionFilter,
} from '@atrium/platform';
import { MessagingError } from '../messaging.errors.js';
import { CallService } from './call.service.js';
import { CallStore } from './call-store.js';
import { CallTimeouts } from './call-timeouts.js';
import type { CallDto } from './dto/call.dto.js';
import { CallIdDto, IceCandidateSignalDto, SdpSignalDto } from './dto/signal.dto.js';

/**
 * WebRTC signaling over socket.io: offers, answers and ICE candidates go from one joined participant of a call to
 * another (to the target's sockets acting for the organization, on any instance; never stored); `call:end` and
 * `call:reject` do what their REST routes do. Errors answer the acknowledgement with the house error body.
 */
@UseFilters(WsExceptionFilter)
@RequiresFeature('calls')
@WebSocketGateway()
export class CallsGateway implements OnGatewayDisconnect {
  private readonly logger = new Logger('Calls');
  @WebSocketServer() server: Server;

  constructor(
    private readonly dataSource: DataSource,
    private readonly calls: CallService,
    private readonly timeouts: CallTimeouts,
  ) {}

  @Permissions('calls.use')
  @SubscribeMessage('call:offer')
  offer(@WsCtx() ctx: RequestContext, @MessageBody() body: SdpSignalDto) {
    return this.relay(ctx, 'call:offer', body, { sdp: body.sdp });
  }

  @Permissions('calls.use')
  @SubscribeMessage('call:answer')
  answer(@WsCtx() ctx: RequestContext, @MessageBody() body: SdpSignalDto) {
    return this.relay(ctx, 'call:answer', body, { sdp: body.sdp });
  }

  @Permissions('calls.use')
  @SubscribeMessage('call:ice-candidate')
  iceCandidate(@WsCtx() ctx: RequestContext, @MessageBody() body: IceCandidateSignalDto) {
    return this.relay(ctx, 'call:ice-candidate', body, { candidate: body.candidate });
  }

  @Permissions('calls.use')
  @SubscribeMessage('call:end')
  async end(@WsCtx() ctx: RequestContext, @MessageBody() body: CallIdDto): Promise<{ data: CallDto }> {
    return { data: await this.calls.end(ctx, body.call_id) };
  }

  @Permissions('calls.use')
  @SubscribeMessage('call:reject')
  async reject(@WsCtx() ctx: RequestContext, @MessageBody() body: CallIdDto): Promise<{ data: CallDto }> {
    return { data: await this.calls.reject(ctx, body.call_id) };
  }

  /** A dropped socket of someone in a call starts their grace period (checked by a delayed job, on any instance). */
  async handleDisconnect(socket: Socket): Promise<void> {
    const ctx = socketContext(socket);
    if (!ctx?.userId || !ctx.organizationId) return;
    try {
      const calls = await CallStore.joinedCallIds(this.dataSource.manager, ctx.organizationId, ctx.userId);
      if (calls.length) await this.timeouts.scheduleReconnectGrace(ctx.organizationId, ctx.userId, socket.id);
    } catch (err) {
      this.logger.error({ err: safeError(err) }, 'Could not start the reconnect grace period of a dropped call socket');
    }
  }

  /** Sends a signaling message to `to_user_id` if both ends are joined to the (open) call. */
  private async relay(
    ctx: RequestContext,
    event: string,
    body: { call_id: string; to_user_id: string },
    signal: object,
  ): Promise<{ data: { call_id: string; to_user_id: string } }> {
    const organizationId = ctx.requireOrganizationId();
    const userId = ctx.requireUserId();
    const pair = await CallStore.signalingPair(this.dataSource.manager, organizationId, body.call_id, userId, body.to_user_id);
    if (!pair) throw MessagingError.call_not_found();
    if (pair.status === 'ended') throw MessagingError.call_ended();
    if (pair.sender !== 'joined') throw MessagingError.call_not_joined();
    if (pair.peer !== 'joined' || body.to_user_id === userId) throw MessagingError.call_peer_not_joined();
    this.server.to(Rooms.member(organizationId, body.to_user_id)).emit(event, { call_id: body.call_id, from_user_id: userId, ...signal });
    return { data: { call_id: body.call_id, to_user_id: body.to_user_id } };
  }
}

import { Logger, type OnModuleInit } from '@nestjs/common';
import {
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import { randomUUID } from 'node:crypto';
import type { DefaultEventsMap, Server, Socket } from 'socket.io';
import { Authenticator } from '../auth/authenticator.js';
import type { RequestContext } from '../context/request-context.js';
import { AccessRestrictionRegistry } from '../contributions/access-restrictions.registry.js';
import { SocketReactionRegistry } from '../contributions/socket-reactions.registry.js';
import { DomainError } from '../http/domain-error.js';
import { EventBus, type DomainEvent } from '../events/event-bus.js';
import { safeError } from '../logging/safe-error.js';
import { Rooms } from './rooms.js';

type AuthedSocket = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, { ctx?: RequestContext }>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/**
 * The socket.io edge: authenticates the handshake, joins personal and organization rooms (plus those features ask
 * for) and pushes in-process events to their rooms; durable events and the sockets they end come from the outbox
 * (RealtimeSubscriber). It knows no feature.
 */
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleInit {
  private readonly logger = new Logger('Realtime');
  @WebSocketServer() server: Server;
  /**
   * The connect announcement of each socket of this process that had one, for its disconnect to wait on. Kept here,
   * not in `socket.data`, which other instances fetch across the adapter.
   */
  private readonly announced = new WeakMap<AuthedSocket, Promise<void>>();

  constructor(
    private readonly authenticator: Authenticator,
    private readonly events: EventBus,
    private readonly reactions: SocketReactionRegistry,
    private readonly restrictions: AccessRestrictionRegistry,
  ) {}

  onModuleInit(): void {
    // Events published in process (no effect, nothing to lose) are pushed from here; everything else, and every
    // socket a reaction ends, comes from the outbox's `realtime` subscriber.
    this.events.on('*', (event) => this.push(event));
  }

  afterInit(server: Server): void {
    server.use((socket, next) => {
      const hs = socket.handshake;
      const auth = (hs.auth ?? {}) as Record<string, unknown>;
      const token = str(auth.token) ?? str(hs.query.token);
      const organizationId = str(auth.organizationId) ?? str(hs.query.organizationId);
      if (!token) return next(new Error('unauthorized: missing token'));
      this.authenticator
        .authenticate({
          bearer: token.replace(/^Bearer\s+/i, ''),
          organizationId,
          requestId: randomUUID(),
          ip: hs.address,
          userAgent: str(hs.headers['user-agent']),
        })
        .then((ctx) => {
          // Realtime pushes the organization's events: not before its access rules are met.
          const unmet = ctx.meta.restrictions?.[0];
          if (unmet) return next(new Error(`unauthorized: ${this.restrictions.errorFor(unmet).code}`));
          (socket as AuthedSocket).data.ctx = ctx;
          next();
        })
        .catch((err: unknown) => {
          if (err instanceof DomainError) return next(new Error(`unauthorized: ${err.code}`));
          // Not the credential's fault (the database is unreachable, say): a client told `unauthorized` would sign
          // its user out, so it is told to try again instead.
          this.logger.error({ err: safeError(err) }, 'Socket authentication failed');
          next(new Error('unavailable: try again'));
        });
    });
  }

  async handleConnection(socket: AuthedSocket): Promise<void> {
    const ctx = socket.data.ctx;
    if (!ctx?.userId || !ctx.organizationId) {
      socket.disconnect(true);
      return;
    }
    const rooms = [Rooms.user(ctx.userId), Rooms.organization(ctx.organizationId), Rooms.member(ctx.organizationId, ctx.userId)];
    if (ctx.meta.sessionId) rooms.push(Rooms.session(ctx.meta.sessionId));
    try {
      rooms.push(...(await this.reactions.roomsFor(ctx)));
    } catch (err) {
      this.logger.error({ err: safeError(err) }, 'Socket rooms could not be read');
      socket.disconnect(true);
      return;
    }
    await socket.join(rooms);
    // A socket that went while it was joining is not announced (its disconnect found nothing to undo).
    if (socket.disconnected) return;
    const announced = this.announce('connected', ctx, socket.id);
    this.announced.set(socket, announced);
    await announced;
    // Admitted: in its rooms, and every listener (presence, …) has counted it.
    socket.emit('connected', { user_id: ctx.userId, organization_id: ctx.organizationId });
  }

  async handleDisconnect(socket: AuthedSocket): Promise<void> {
    const ctx = socket.data.ctx;
    const announced = this.announced.get(socket);
    if (!ctx || !announced) return;
    // Listeners hear of a socket's end only after they have heard of its start.
    await announced;
    await this.announce('disconnected', ctx, socket.id);
  }

  private async announce(kind: 'connected' | 'disconnected', ctx: RequestContext, socketId: string): Promise<void> {
    for (const err of await this.reactions.notify(kind, ctx, socketId)) {
      this.logger.error({ err: safeError(err), kind }, 'A socket listener failed');
    }
  }

  /** Emits a domain event to its rooms; works across instances through the adapter. */
  private push(event: DomainEvent): void {
    if (!event.rooms?.length || !this.server) return;
    this.server.to(event.rooms).emit(event.name, event.payload);
  }
}

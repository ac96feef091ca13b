import { Logger, type OnModuleInit } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { randomUUID } from 'node:crypto';
import type { DefaultEventsMap, Server, Socket } from 'socket.io';
import { Authenticator } from '../auth/authenticator.js';
import type { RequestContext } from '../context/request-context.js';
import { DomainError } from '../http/domain-error.js';
import { EventBus, type DomainEvent } from '../events/event-bus.js';

/** The sockets of one user acting for one organization. */
const memberRoom = (organizationId: string, userId: string) => `member:${organizationId}:${userId}`;

/** The sockets of an organization's members who had no two-factor authentication when they connected. */
const withoutMfaRoom = (organizationId: string) => `mfa-off:${organizationId}`;

type AuthedSocket = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, { ctx?: RequestContext }>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The socket.io edge: authenticates the handshake, joins personal and organization rooms, pushes domain events. */
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnModuleInit {
  private readonly logger = new Logger('Realtime');
  @WebSocketServer() server: Server;

  constructor(
    private readonly authenticator: Authenticator,
    private readonly events: EventBus,
  ) {}

  onModuleInit(): void {
    this.events.on('*', (event) => this.push(event));
    this.events.on('session.revoked', (event) => {
      const { sessionIds } = event.payload as { sessionIds: string[] };
      if (sessionIds.length) this.server?.in(sessionIds.map((id) => `session:${id}`)).disconnectSockets(true);
    });
    // A socket may act for an organization other than its session's (`organizationId` in the handshake):
    // losing that membership must end it too, on every instance, even though the session lives on.
    this.events.on('member.revoked', (event) => {
      const { user_id: userId, organization_id: organizationId } = event.payload as { user_id?: string; organization_id?: string };
      if (userId && organizationId) this.server?.in(memberRoom(organizationId, userId)).disconnectSockets(true);
    });
    // Sockets are admitted knowing whether their user has MFA: turning it off makes them reconnect and be judged again.
    this.events.on('mfa.disabled', (event) => {
      const { user_id: userId } = event.payload as { user_id?: string };
      if (userId) this.server?.in(`user:${userId}`).disconnectSockets(true);
    });
    // An organization that starts requiring two-factor authentication drops the sockets of members without it
    // (they are refused when they reconnect, until they turn it on).
    this.events.on('organization.updated', (event) => {
      const { organization_id: organizationId, mfa_required: required } = event.payload as {
        organization_id?: string;
        mfa_required?: boolean;
      };
      if (organizationId && required) this.server?.in(withoutMfaRoom(organizationId)).disconnectSockets(true);
    });
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
          // Realtime pushes the organization's events: not before its two-factor requirement is met.
          if (ctx.meta.mfaEnrollmentRequired) return next(new Error('unauthorized: mfa_enrollment_required'));
          (socket as AuthedSocket).data.ctx = ctx;
          next();
        })
        .catch((err: unknown) => {
          if (!(err instanceof DomainError)) this.logger.error({ err }, 'Socket authentication failed');
          next(new Error(err instanceof DomainError ? `unauthorized: ${err.code}` : 'unauthorized'));
        });
    });
  }

  async handleConnection(socket: AuthedSocket): Promise<void> {
    const ctx = socket.data.ctx;
    if (!ctx?.userId || !ctx.organizationId) {
      socket.disconnect(true);
      return;
    }
    const rooms = [`user:${ctx.userId}`, `org:${ctx.organizationId}`, memberRoom(ctx.organizationId, ctx.userId)];
    if (ctx.meta.sessionId) rooms.push(`session:${ctx.meta.sessionId}`);
    if (!ctx.meta.mfaEnabled) rooms.push(withoutMfaRoom(ctx.organizationId));
    await socket.join(rooms);
    socket.emit('connected', { user_id: ctx.userId, organization_id: ctx.organizationId });
  }

  /** Emits a domain event to its rooms; works across instances through the adapter. */
  private push(event: DomainEvent): void {
    if (!event.rooms?.length || !this.server) return;
    this.server.to(event.rooms).emit(event.name, event.payload);
  }
}

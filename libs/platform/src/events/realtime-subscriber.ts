import { Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import type { Server } from 'socket.io';
import { SocketReactionRegistry } from '../contributions/socket-reactions.registry.js';
import { Outbox, type OutboxEvent } from './outbox.js';

/**
 * The built-in outbox subscriber `realtime`: pushes each event that names rooms to socket.io, once, from
 * whichever relay delivers it; the socket.io adapter carries it to the sockets on every instance. The api
 * attaches its gateway's server, the worker a headless server on the same adapter. Sockets an event ends (the
 * SocketReactionRegistry's `disconnectOn` rules, when the registry is provided) are disconnected the same way, and
 * sockets an event moves (`moveRoomsOn`) join rooms before it is pushed and leave rooms after.
 */
@Injectable()
export class RealtimeSubscriber implements OnModuleInit {
  private server?: Server;

  constructor(
    private readonly outbox: Outbox,
    @Optional() private readonly reactions?: SocketReactionRegistry,
  ) {}

  onModuleInit(): void {
    this.outbox.subscribe({
      name: 'realtime',
      events: '*',
      // Only events with something to push, end or move: the rest (mail requests, audit-only events) cost it nothing.
      accepts: (event) => !!event.rooms?.length || !!this.reactions?.reactsTo(event.name),
      handle: (event) => this.push(event),
    });
  }

  /** The server events are emitted through. */
  attach(server: Server): void {
    this.server = server;
  }

  private async push(event: OutboxEvent): Promise<void> {
    const ended = this.reactions?.roomsEndedBy(event) ?? [];
    const moved = this.reactions?.roomChangesBy(event) ?? [];
    if (!event.rooms?.length && !ended.length && !moved.length) return;
    // Throwing makes the relay retry: an event is never marked pushed by a process that cannot push.
    const server = this.server;
    if (!server) throw new Error('no socket.io server attached in this process');
    const joining = moved.filter((m) => m.sockets.length && m.join?.length);
    for (const m of joining) server.in(m.sockets).socketsJoin(m.join!);
    await this.applied(server, joining);
    if (event.rooms?.length) server.to(event.rooms).emit(event.name, event.payload);
    const leaving = moved.filter((m) => m.sockets.length && m.leave?.length);
    for (const m of leaving) server.in(m.sockets).socketsLeave(m.leave!);
    // The organization's next event goes out only after the leaves took effect everywhere (a removed member must not
    // receive the chat's next message).
    await this.applied(server, leaving);
    if (ended.length) server.in(ended).disconnectSockets(true);
  }

  /**
   * Waits until every instance has applied the room changes sent to these sockets: a join or leave on another instance
   * travels as an adapter request without an answer, and a broadcast can overtake it on another channel. Asking the
   * same sockets' instances a question (fetchSockets) after it is answered only once each of them has handled the
   * requests before it, in order. A single instance answers at once.
   */
  private async applied(server: Server, changes: Array<{ sockets: string[] }>): Promise<void> {
    if (!changes.length) return;
    await server.in(changes.flatMap((m) => m.sockets)).fetchSockets();
  }
}

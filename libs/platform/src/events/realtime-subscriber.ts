import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Server } from 'socket.io';
import { Outbox, type OutboxEvent } from './outbox.js';

/**
 * The built-in outbox subscriber `realtime`: pushes each event that names rooms to socket.io, once, from
 * whichever relay delivers it; the socket.io adapter carries it to the sockets on every instance. The api
 * attaches its gateway's server, the worker a headless server on the same adapter.
 */
@Injectable()
export class RealtimeSubscriber implements OnModuleInit {
  private server?: Server;

  constructor(private readonly outbox: Outbox) {}

  onModuleInit(): void {
    this.outbox.subscribe({ name: 'realtime', events: '*', handle: (event) => this.push(event) });
  }

  /** The server events are emitted through. */
  attach(server: Server): void {
    this.server = server;
  }

  private push(event: OutboxEvent): void {
    if (!event.rooms?.length) return;
    // Throwing makes the relay retry: an event is never marked pushed by a process that cannot push.
    if (!this.server) throw new Error('no socket.io server attached in this process');
    this.server.to(event.rooms).emit(event.name, event.payload);
  }
}

import { Injectable } from '@nestjs/common';
import type { Server } from 'socket.io';

/**
 * Asks every instance which sockets are in a room (through the socket.io adapter), from any process: the api
 * attaches its gateway's server, the worker its headless one. For work that must know whether someone is still
 * connected anywhere (a grace period after a dropped socket, who missed a message).
 */
@Injectable()
export class SocketDirectory {
  private server?: Server;

  attach(server: Server): void {
    this.server = server;
  }

  /** How many sockets are in `room` across all instances; throws in a process with no socket.io server. */
  async count(room: string): Promise<number> {
    return (await this.sockets(room)).length;
  }

  /**
   * The user ids of the sockets in `room` on every instance (one request across the adapter), e.g. for an outbox
   * subscriber deciding after commit who missed a message.
   */
  async connectedUserIds(room: string): Promise<Set<string>> {
    // A remote socket's data arrives serialized: read the user id, not a RequestContext instance.
    const ids = (await this.sockets(room)).map((s) => (s.data as { ctx?: { userId?: string } } | undefined)?.ctx?.userId);
    return new Set(ids.filter((id): id is string => !!id));
  }

  private sockets(room: string) {
    if (!this.server) throw new Error('no socket.io server attached in this process');
    return this.server.in(room).fetchSockets();
  }
}

import { Injectable } from '@nestjs/common';
import type { Server } from 'socket.io';

/**
 * Asks every instance which sockets are in a room (through the socket.io adapter), from any process: the api
 * attaches its gateway's server, the worker its headless one. For work that must know whether someone is still
 * connected anywhere (e.g. a grace period after a dropped socket).
 */
@Injectable()
export class SocketDirectory {
  private server?: Server;

  attach(server: Server): void {
    this.server = server;
  }

  /** How many sockets are in `room` across all instances; throws in a process with no socket.io server. */
  async count(room: string): Promise<number> {
    if (!this.server) throw new Error('no socket.io server attached in this process');
    return (await this.server.in(room).fetchSockets()).length;
  }
}

import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../context/request-context.js';
import type { DomainEvent } from '../events/event-bus.js';

/**
 * Extra rooms a socket joins when it connects, beyond the kernel's (user, organization, member, session); may read
 * the database (e.g. the chats a member is in). A rejection refuses the connection.
 */
export type SocketRooms = (ctx: RequestContext) => string[] | Promise<string[]>;

/** The rooms whose sockets an event ends (their clients reconnect and are judged again); none for an event that ends nothing. */
export type SocketEnds = (event: DomainEvent) => string[];

/**
 * How features make sockets follow their rules without the realtime gateway knowing them: sessions ended,
 * members revoked, an organization starting to require two-factor authentication. The gateway asks this
 * registry on every connection and every published event; the adapter carries the disconnects to every instance.
 */
@Injectable()
export class SocketReactionRegistry {
  private readonly joins: SocketRooms[] = [];
  private readonly ends = new Map<string, SocketEnds[]>();

  /** Call from `onModuleInit`: rooms sockets join on connect, so a later event can end exactly them. */
  joinRooms(rooms: SocketRooms): void {
    this.joins.push(rooms);
  }

  /** Call from `onModuleInit`: when `eventName` is published, the sockets in these rooms are disconnected. */
  disconnectOn(eventName: string, rooms: SocketEnds): void {
    this.ends.set(eventName, [...(this.ends.get(eventName) ?? []), rooms]);
  }

  async roomsFor(ctx: RequestContext): Promise<string[]> {
    const joined = await Promise.all(this.joins.map(async (rooms) => rooms(ctx)));
    return joined.flat();
  }

  /** Whether some rule ends sockets on events named `eventName`. */
  endsOn(eventName: string): boolean {
    return this.ends.has(eventName);
  }

  roomsEndedBy(event: DomainEvent): string[] {
    return (this.ends.get(event.name) ?? []).flatMap((rooms) => rooms(event));
  }
}

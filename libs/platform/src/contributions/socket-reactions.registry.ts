import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../context/request-context.js';
import type { DomainEvent } from '../events/event-bus.js';

/**
 * Extra rooms a socket joins when it connects, beyond the kernel's (user, organization, member, session); may read
 * the database (e.g. the chats a member is in). A rejection refuses the connection.
 */
export type SocketRooms = (ctx: RequestContext) => string[] | Promise<string[]>;

/** Told when an authenticated socket has joined its rooms, or has gone (its id, and the context it acted with). */
export type SocketListener = (ctx: RequestContext, socketId: string) => unknown;

/** The rooms whose sockets an event ends (their clients reconnect and are judged again); none for an event that ends nothing. */
export type SocketEnds = (event: DomainEvent) => string[];

/** Sockets that change rooms: every socket in any of the rooms `sockets` joins `join` and leaves `leave`. */
export interface SocketRoomChange {
  sockets: string[];
  join?: string[];
  leave?: string[];
}

/** The room changes an event makes (e.g. a member added to a group joins its room); none for an event that moves nothing. */
export type SocketRoomChanges = (event: DomainEvent) => SocketRoomChange[];

/**
 * How features make sockets follow their rules without the realtime gateway knowing them: sessions ended,
 * members revoked, an organization starting to require two-factor authentication. The gateway asks this
 * registry on every connection and every published event; the adapter carries the disconnects to every instance.
 */
@Injectable()
export class SocketReactionRegistry {
  private readonly joins: SocketRooms[] = [];
  private readonly ends = new Map<string, SocketEnds[]>();
  private readonly connects: SocketListener[] = [];
  private readonly disconnects: SocketListener[] = [];
  private readonly moves = new Map<string, SocketRoomChanges[]>();

  /** Call from `onModuleInit`: rooms sockets join on connect, so a later event can end exactly them. */
  joinRooms(rooms: SocketRooms): void {
    this.joins.push(rooms);
  }

  /** Call from `onModuleInit`: when `eventName` is published, the sockets in these rooms are disconnected. */
  disconnectOn(eventName: string, rooms: SocketEnds): void {
    this.ends.set(eventName, [...(this.ends.get(eventName) ?? []), rooms]);
  }

  /**
   * Call from `onModuleInit`: told of every authenticated socket of this process once it has joined its rooms, and
   * again when it disconnects (every socket told of connecting is told of disconnecting). Failures are logged only.
   */
  onSocket(listener: { connected: SocketListener; disconnected: SocketListener }): void {
    this.connects.push(listener.connected);
    this.disconnects.push(listener.disconnected);
  }

  /** For the gateway: runs the connect (or disconnect) listeners, returning the failures. */
  async notify(kind: 'connected' | 'disconnected', ctx: RequestContext, socketId: string): Promise<unknown[]> {
    const listeners = kind === 'connected' ? this.connects : this.disconnects;
    const results = await Promise.allSettled(listeners.map(async (l) => l(ctx, socketId)));
    return results.flatMap((r): unknown[] => (r.status === 'rejected' ? [r.reason as unknown] : []));
  }

  /**
   * Call from `onModuleInit`: when `eventName` is delivered, sockets join and leave rooms on every instance, joins
   * before the event is pushed to its rooms and leaves after (so the sockets joining and leaving both receive it).
   */
  moveRoomsOn(eventName: string, changes: SocketRoomChanges): void {
    this.moves.set(eventName, [...(this.moves.get(eventName) ?? []), changes]);
  }

  async roomsFor(ctx: RequestContext): Promise<string[]> {
    const joined = await Promise.all(this.joins.map(async (rooms) => rooms(ctx)));
    return joined.flat();
  }

  /** Whether some rule ends sockets, or moves them between rooms, on events named `eventName`. */
  reactsTo(eventName: string): boolean {
    return this.ends.has(eventName) || this.moves.has(eventName);
  }

  roomChangesBy(event: DomainEvent): SocketRoomChange[] {
    return (this.moves.get(event.name) ?? []).flatMap((changes) => changes(event));
  }

  roomsEndedBy(event: DomainEvent): string[] {
    return (this.ends.get(event.name) ?? []).flatMap((rooms) => rooms(event));
  }
}

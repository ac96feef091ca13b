import type { INestApplication } from '@nestjs/common';
import { io, type Socket } from 'socket.io-client';
import type { DataSource } from 'typeorm';
import { EventBus, Outbox } from '@atrium/platform';

/**
 * Connects a socket.io client the way an SPA does; resolves once the server has admitted it and joined its rooms
 * (its `connected` event, kept as `socket.admitted`), rejects with the server's reason.
 */
export function connectSocket(
  url: string,
  opts: { token?: string; organizationId?: string; viaAuth?: boolean },
): Promise<Socket & { admitted: { user_id: string; organization_id: string } }> {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(opts.viaAuth ? { auth: { token: opts.token } } : { query: defined({ token: opts.token, organizationId: opts.organizationId }) }),
  });
  return new Promise((resolve, reject) => {
    socket.once('connected', (admitted: { user_id: string; organization_id: string }) => resolve(Object.assign(socket, { admitted })));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
    socket.once('disconnect', (reason) => reject(new Error(`disconnected before admission: ${reason}`)));
  });
}

/** The next `event` on the socket, or a rejection after `ms`. */
export function nextEvent<T = unknown>(socket: Socket, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

/**
 * Resolves once every outbox event of `via`'s deployment committed so far has been delivered, the socket
 * disconnects they carry (session and member revocations) included; fails if that takes longer than `ms`.
 */
export async function outboxDelivered(via: { app: INestApplication; db: DataSource }, ms = 10_000): Promise<void> {
  const ds = via.db;
  const scope = via.app.get(Outbox).scope;
  const [{ last }] = await ds.query<Array<{ last: string }>>(`SELECT coalesce(max(seq), 0) AS last FROM outbox_events WHERE scope = $1`, [
    scope,
  ]);
  const deadline = Date.now() + ms;
  for (;;) {
    const [{ n }] = await ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM outbox_events WHERE scope = $1 AND seq <= $2 AND delivered_at IS NULL`,
      [scope, last],
    );
    if (!n) return;
    if (Date.now() > deadline) throw new Error(`${n} outbox event(s) still undelivered after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Whether the socket is still connected once everything sent to it before has arrived: a disconnect aimed at it
 * comes from an outbox event already committed, delivered before this returns, and was written to the socket
 * before an event pushed now to the user's room, which it waits for (no sleeping).
 */
export async function stillConnected(via: { app: INestApplication; db: DataSource }, socket: Socket, userId: string): Promise<boolean> {
  await outboxDelivered(via);
  const alive = nextEvent(socket, 'test:alive');
  await via.app.get(EventBus).publish({ name: 'test:alive', payload: {}, rooms: [`user:${userId}`] });
  await alive;
  return socket.connected;
}

function defined(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

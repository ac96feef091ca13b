import type { Server } from 'socket.io';
import type { EntityManager } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { SocketReactionRegistry } from '../contributions/socket-reactions.registry.js';
import { Outbox, type OutboxEvent } from './outbox.js';
import { RealtimeSubscriber } from './realtime-subscriber.js';

/** A socket.io server that records what it was asked to do. */
function recordingServer() {
  const calls: string[] = [];
  const server = {
    to: (rooms: string[]) => ({ emit: (name: string) => calls.push(`emit ${name} → ${rooms.join(',')}`) }),
    in: (rooms: string[]) => ({
      disconnectSockets: () => calls.push(`disconnect ${rooms.join(',')}`),
      socketsJoin: (to: string[]) => calls.push(`${rooms.join(',')} join ${to.join(',')}`),
      socketsLeave: (from: string[]) => calls.push(`${rooms.join(',')} leave ${from.join(',')}`),
      fetchSockets: () => {
        calls.push(`${rooms.join(',')} applied`);
        return Promise.resolve([]);
      },
    }),
  };
  return { calls, server: server as unknown as Server };
}

const event = (name: string, rooms: string[] = []): OutboxEvent => ({ id: 'e1', name, payload: {}, rooms, createdAt: new Date() });
const em = {} as EntityManager;

describe('the realtime outbox subscriber', () => {
  it('pushes to the event rooms and ends the sockets the registered reactions name', async () => {
    const outbox = new Outbox();
    const reactions = new SocketReactionRegistry();
    reactions.disconnectOn('session.revoked', (e) => (e.payload as { rooms?: string[] }).rooms ?? ['session:s1']);
    const realtime = new RealtimeSubscriber(outbox, reactions);
    realtime.onModuleInit();
    const { calls, server } = recordingServer();
    realtime.attach(server);
    const [sub] = outbox.registered();
    await sub.handle(event('chat.message', ['org:o1']), em);
    await sub.handle(event('session.revoked'), em);
    expect(calls).toEqual(['emit chat.message → org:o1', 'disconnect session:s1']);
  });

  it('moves sockets between rooms: joins before the push (the joining sockets get the event), leaves after it', async () => {
    const outbox = new Outbox();
    const reactions = new SocketReactionRegistry();
    reactions.moveRoomsOn('group.changed', () => [
      { sockets: ['member:o1:u2'], join: ['group:g1'] },
      { sockets: ['member:o1:u3'], leave: ['group:g1'] },
    ]);
    const realtime = new RealtimeSubscriber(outbox, reactions);
    realtime.onModuleInit();
    const { calls, server } = recordingServer();
    realtime.attach(server);
    expect(outbox.subscribersFor({ name: 'group.changed', rooms: [] }).map((s) => s.name)).toEqual(['realtime']);
    await outbox.registered()[0].handle(event('group.changed', ['group:g1']), em);
    // Each change is confirmed by every instance (a question asked after it) before the next step.
    expect(calls).toEqual([
      'member:o1:u2 join group:g1',
      'member:o1:u2 applied',
      'emit group.changed → group:g1',
      'member:o1:u3 leave group:g1',
      'member:o1:u3 applied',
    ]);
  });

  it('receives only events that name rooms or end sockets, so the others cost it no processed-events row', () => {
    const outbox = new Outbox();
    const reactions = new SocketReactionRegistry();
    reactions.disconnectOn('session.revoked', () => ['session:s1']);
    new RealtimeSubscriber(outbox, reactions).onModuleInit();
    const receivers = (name: string, rooms: string[] = []) => outbox.subscribersFor({ name, rooms }).map((s) => s.name);
    expect(receivers('chat.message', ['org:o1'])).toEqual(['realtime']);
    expect(receivers('session.revoked')).toEqual(['realtime']);
    expect(receivers('mail.queued')).toEqual([]);
  });

  it('fails (so the relay retries) in a process with no server to push through, but lets roomless events pass', async () => {
    const outbox = new Outbox();
    new RealtimeSubscriber(outbox).onModuleInit();
    const [sub] = outbox.registered();
    await expect(Promise.resolve().then(() => sub.handle(event('chat.message', ['org:o1']), em))).rejects.toThrow(/no socket.io server/);
    await expect(Promise.resolve().then(() => sub.handle(event('user.updated'), em))).resolves.toBeUndefined();
  });
});

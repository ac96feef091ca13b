import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember, registerOrg, setPackage } from '../support/members.js';
import { connectSocket, nextEvent } from '../support/socket.js';
import { startTestApp, testRedisUrl, type TestApp } from '../support/test-app.js';

/**
 * The scale-out promise in one place: two app instances on one database, and a client on A hears what
 * happens through B — a message, a typing event, a presence change and a call offer — on either adapter.
 */
let a: TestApp;
let b: TestApp;
const open: Socket[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([startTestApp(), startTestApp()]);
});
afterAll(async () => {
  for (const s of open) s.close();
  await Promise.all([a?.close(), b?.close()]);
});

/** The next `presence:changed` about `userId` (the client's own arrival is announced too). */
function presenceOf(socket: Socket, userId: string): Promise<{ user_id: string; status: string }> {
  return new Promise((resolve) => {
    const on = (p: { user_id: string; status: string }) => {
      if (p.user_id !== userId) return;
      socket.off('presence:changed', on);
      resolve(p);
    };
    socket.on('presence:changed', on);
  });
}

async function socketOn(t: TestApp, who: { accessToken: string }) {
  const s = await connectSocket(t.url, { token: who.accessToken });
  open.push(s);
  return s;
}

describe(`chat and calls across two instances (fan-out over ${testRedisUrl ? 'Redis' : 'PostgreSQL'})`, () => {
  it('a client on A receives a message, a typing event, a presence change and a call offer sent through B', async () => {
    const owner = await registerOrg(a.http);
    await setPackage(a, owner.organizationId, 'basic');
    const ann = await createMember(a, owner, 'member');
    const bob = await createMember(a, owner, 'member');
    const created = await b.http.post('/chats', { type: 'direct', member_ids: [bob.userId] }, { token: ann.accessToken });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const chatId = created.body.data.id as string;

    const annOnA = await socketOn(a, ann);

    // Presence: Bob's first socket, on B.
    const online = presenceOf(annOnA, bob.userId);
    const bobOnB = await socketOn(b, bob);
    expect(await online).toEqual({ user_id: bob.userId, status: 'online' });

    // A message Bob sends through B's REST api.
    const message = nextEvent<{ id: string; seq: number; content: string; sender_id: string }>(annOnA, 'message:new');
    const sent = await b.http.post(
      `/chats/${chatId}/messages`,
      { content: 'Hello from B', message_type: 'TEXT' },
      { token: bob.accessToken },
    );
    expect(sent.status).toBe(201);
    expect(await message).toMatchObject({ id: sent.body.data.id, seq: 1, content: 'Hello from B', sender_id: bob.userId });

    // Typing on Bob's socket on B.
    const typing = nextEvent<{ chat_id: string; user_id: string }>(annOnA, 'typing:start');
    expect(await bobOnB.emitWithAck('typing:start', { chat_id: chatId })).toEqual({ data: { relayed: true } });
    expect(await typing).toEqual({ chat_id: chatId, user_id: bob.userId });

    // A call Bob starts through B; Ann joins through A; Bob's offer goes from his socket on B to Ann's on A.
    const incoming = nextEvent<{ from_user_id: string; call: { id: string } }>(annOnA, 'call:incoming');
    const call = await b.http.post(`/calls/chats/${chatId}`, { call_type: 'video' }, { token: bob.accessToken });
    expect(call.status, JSON.stringify(call.body)).toBe(201);
    expect(await incoming).toMatchObject({ from_user_id: bob.userId, call: { id: call.body.data.id } });
    expect((await a.http.post(`/calls/${call.body.data.id}/join`, {}, { token: ann.accessToken })).status).toBe(200);
    const offer = nextEvent<{ call_id: string; from_user_id: string; sdp: unknown }>(annOnA, 'call:offer');
    const sdp = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
    expect(await bobOnB.timeout(5000).emitWithAck('call:offer', { call_id: call.body.data.id, to_user_id: ann.userId, sdp })).toEqual({
      data: { call_id: call.body.data.id, to_user_id: ann.userId },
    });
    expect(await offer).toEqual({ call_id: call.body.data.id, from_user_id: bob.userId, sdp });

    // And Bob going away on B is heard on A.
    const offline = presenceOf(annOnA, bob.userId);
    bobOnB.close();
    expect(await offline).toEqual({ user_id: bob.userId, status: 'offline' });
  });
});

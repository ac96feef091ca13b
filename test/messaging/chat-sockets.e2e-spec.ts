import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg } from '../support/members.js';
import { connectSocket, nextEvent, outboxDelivered, stillConnected } from '../support/socket.js';
import { startTestApp, testRedisUrl, type TestApp } from '../support/test-app.js';
import { createGroup, outboxPayloads, send, team } from './chat-support.js';

const APP_ORIGIN = 'https://app.example.com';
let a: TestApp;
let b: TestApp;
const sockets: Socket[] = [];
const connect = async (t: TestApp, token: string) => {
  const s = await connectSocket(t.url, { token });
  sockets.push(s);
  return s;
};

beforeAll(async () => {
  // B: a small send budget, a transport limit above the handler's 64 KB, and an Origin allowlist (clients outside
  // browsers, like these tests, send no Origin and are let in).
  [a, b] = await Promise.all([
    startTestApp(),
    startTestApp({ MESSAGE_SOCKET_SENDS_PER_10S: '3', SOCKET_MAX_PAYLOAD_BYTES: String(1024 * 1024), CORS_ORIGINS: APP_ORIGIN }),
  ]);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([a?.close(), b?.close()]);
});

describe(`chat over socket.io (fan-out over ${testRedisUrl ? 'Redis' : 'PostgreSQL'})`, () => {
  it('sends with message:send (ack: the stored message) and pushes message:new to members on every instance, not to other organizations', async () => {
    const { owner, people } = await team(a, 1);
    const chat = await createGroup(a, owner.accessToken, [people[0].userId]);
    const outsider = await registerOrg(a.http);
    const stranger = await connect(a, outsider.accessToken);
    let leaked = false;
    stranger.on('message:new', () => (leaked = true));
    const ann = await connect(a, people[0].accessToken);
    const sender = await connect(b, owner.accessToken);
    const received = nextEvent<Record<string, unknown>>(ann, 'message:new');
    const ack = await sender.timeout(5000).emitWithAck('message:send', { chat_id: chat, content: 'over the wire', message_type: 'TEXT' });
    expect(ack.data).toMatchObject({ chat_id: chat, seq: 1, content: 'over the wire', sender_id: owner.userId });
    expect(await received).toEqual(ack.data);
    const [stored] = (await a.http.get(`/chats/${chat}/messages`, { token: people[0].accessToken })).body.data;
    expect(stored).toEqual(ack.data);
    // Once everything committed is pushed, an event sent to the stranger now arrives after the message would have.
    expect(await stillConnected(a, stranger, outsider.userId)).toBe(true);
    expect(leaked).toBe(false);
  });

  it('answers bad input and a foreign chat on the ack, and keeps the socket', async () => {
    const { owner, people } = await team(a, 1);
    const chat = await createGroup(a, owner.accessToken, [people[0].userId]);
    const other = await registerOrg(a.http);
    const s = await connect(a, other.accessToken);
    const foreign = await s.timeout(5000).emitWithAck('message:send', { chat_id: chat, content: 'hi', message_type: 'TEXT' });
    expect(foreign).toMatchObject({ statusCode: 404, code: 'chat_not_found' });
    const bad = await s.timeout(5000).emitWithAck('message:send', { chat_id: 'x', content: '', message_type: 'SYSTEM' });
    expect(bad).toMatchObject({ statusCode: 400, code: 'validation_failed' });
    expect(JSON.stringify(bad.details)).toMatch(/chat_id[\s\S]*content|content[\s\S]*chat_id/);
    expect(JSON.stringify(bad.details)).toContain('message_type');
    expect(s.connected).toBe(true);
  });

  it('refuses a body over 64 KB on the ack (413) while the transport allows it, and the socket stays up', async () => {
    {
      const { owner, people } = await team(b, 1);
      const chat = await createGroup(b, owner.accessToken, [people[0].userId]);
      const s = await connect(b, owner.accessToken);
      const answer = await s.timeout(5000).emitWithAck('message:send', {
        chat_id: chat,
        content: 'hi',
        message_type: 'TEXT',
        padding: 'x'.repeat(70 * 1024),
      });
      expect(answer).toMatchObject({ statusCode: 413, code: 'payload_too_large' });
      expect((await s.timeout(5000).emitWithAck('message:send', { chat_id: chat, content: 'ok', message_type: 'TEXT' })).data.seq).toBe(1);
    }
  });

  it('closes a connection whose packet passes the default 64 KB transport limit', async () => {
    const { owner } = await team(a, 0);
    const s = await connect(a, owner.accessToken);
    const closed = nextEvent<string>(s, 'disconnect');
    s.emit('message:send', { content: 'x'.repeat(80 * 1024) });
    expect(await closed).toBe('transport close');
  });

  it('rate-limits message:send per socket with rate_limited on the ack; the socket stays up and other sockets are unaffected', async () => {
    const { owner, people } = await team(b, 1);
    const chat = await createGroup(b, owner.accessToken, [people[0].userId]);
    const s = await connect(b, owner.accessToken);
    const answers = [];
    for (let i = 0; i < 4; i++)
      answers.push(await s.timeout(5000).emitWithAck('message:send', { chat_id: chat, content: `m${i}`, message_type: 'TEXT' }));
    expect(answers.slice(0, 3).map((x) => x.data?.seq ?? x)).toEqual([1, 2, 3]);
    expect(answers[3]).toMatchObject({ statusCode: 429, code: 'rate_limited' });
    expect(s.connected).toBe(true);
    const fresh = await connect(b, owner.accessToken);
    expect(
      (await fresh.timeout(5000).emitWithAck('message:send', { chat_id: chat, content: 'again', message_type: 'TEXT' })).data.seq,
    ).toBe(4);
  });

  it('relays message:read as chat:read to the other members and to my other devices', async () => {
    const { owner, people } = await team(a, 1);
    const chat = await createGroup(a, owner.accessToken, [people[0].userId]);
    await send(a, owner.accessToken, chat, 'read me');
    const ownerSocket = await connect(a, owner.accessToken);
    const annPhone = await connect(b, people[0].accessToken);
    const annLaptop = await connect(a, people[0].accessToken);
    const seen = [nextEvent(ownerSocket, 'chat:read'), nextEvent(annLaptop, 'chat:read')];
    const ack = await annPhone.timeout(5000).emitWithAck('message:read', { chat_id: chat, seq: 1 });
    expect(ack.data).toEqual({ chat_id: chat, user_id: people[0].userId, seq: 1, unread_count: 0 });
    expect(await Promise.all(seen)).toEqual([
      { chat_id: chat, user_id: people[0].userId, seq: 1 },
      { chat_id: chat, user_id: people[0].userId, seq: 1 },
    ]);
    const beyond = await annPhone.timeout(5000).emitWithAck('message:read', { chat_id: chat, seq: 9 });
    expect(beyond).toMatchObject({ statusCode: 400, code: 'read_seq_out_of_range' });
  });

  it('joins members added later to the room, pushes edits and deletions, and stops pushing to a member removed mid-conversation', async () => {
    const { owner, people } = await team(a, 2);
    const [ann, bob] = people;
    const chat = await createGroup(a, owner.accessToken, [ann.userId]);
    const other = await createGroup(a, owner.accessToken, [bob.userId]);
    const bobSocket = await connect(b, bob.accessToken);
    const added = nextEvent<{ chat_id: string; user_ids: string[] }>(bobSocket, 'chat:member_added');
    // The chat's history records the addition: a SYSTEM message, pushed to the new member too.
    const note = nextEvent<{ message_type: string; system: { event: string; user_ids: string[] } }>(bobSocket, 'message:new');
    await a.http.post(`/chats/${chat}/members`, { member_ids: [bob.userId] }, { token: owner.accessToken });
    expect(await added).toEqual({ chat_id: chat, user_ids: [bob.userId], added_by: owner.userId });
    expect(await note).toMatchObject({ message_type: 'SYSTEM', system: { event: 'members_added', user_ids: [bob.userId] } });
    const first = nextEvent<{ content: string }>(bobSocket, 'message:new');
    const msg = await send(a, ann.accessToken, chat, 'welcome bob');
    expect((await first).content).toBe('welcome bob');
    const updated = nextEvent<{ content: string }>(bobSocket, 'message:updated');
    await a.http.put(`/chats/${chat}/messages/${msg.id}`, { content: 'welcome, Bob' }, { token: ann.accessToken });
    expect((await updated).content).toBe('welcome, Bob');
    const deleted = nextEvent<{ id: string; deleted_by: string }>(bobSocket, 'message:deleted');
    await a.http.delete(`/chats/${chat}/messages/${msg.id}`, undefined, { token: ann.accessToken });
    expect(await deleted).toMatchObject({ id: msg.id, deleted_by: ann.userId });

    const removed = nextEvent<{ user_id: string; reason: string }>(bobSocket, 'chat:member_removed');
    await a.http.delete(`/chats/${chat}/members/${bob.userId}`, undefined, { token: owner.accessToken });
    expect(await removed).toMatchObject({ user_id: bob.userId, reason: 'removed' });
    const got: string[] = [];
    bobSocket.on('message:new', (m: { content: string }) => got.push(m.content));
    await send(a, ann.accessToken, chat, 'after bob left');
    // Committed later in the same organization, so pushed after the message above: when it arrives, that one would have too.
    const marker = nextEvent<{ content: string }>(bobSocket, 'message:new');
    await send(a, owner.accessToken, other, 'marker');
    expect((await marker).content).toBe('marker');
    expect(got).toEqual(['marker']);
    expect((await a.http.get(`/chats/${chat}/messages`, { token: bob.accessToken })).status).toBe(404);
  });

  it('catches up after a reconnect: ?after=<last seen seq> returns exactly what was sent meanwhile', async () => {
    const { owner, people } = await team(a, 1);
    const chat = await createGroup(a, owner.accessToken, [people[0].userId]);
    const s = await connect(a, people[0].accessToken);
    const seen = nextEvent<{ seq: number }>(s, 'message:new');
    await send(a, owner.accessToken, chat, 'before');
    const lastSeen = (await seen).seq;
    s.close();
    for (const c of ['while 1', 'while 2', 'while 3']) await send(a, owner.accessToken, chat, c);
    // Pushed to nobody: the reconnecting client must get them from REST.
    await outboxDelivered(a);
    const back = await connect(a, people[0].accessToken);
    const live = nextEvent<{ content: string }>(back, 'message:new');
    await send(a, owner.accessToken, chat, 'after');
    expect((await live).content).toBe('after');
    const missed = await a.http.get(`/chats/${chat}/messages?after=${lastSeen}&limit=3`, { token: people[0].accessToken });
    expect(missed.body.data.map((m: { content: string }) => m.content)).toEqual(['while 1', 'while 2', 'while 3']);
  });

  it('publishes chat.message_missed for members with no connected socket, once', async () => {
    const { owner, people } = await team(a, 2);
    const [online, offline] = people;
    const chat = await createGroup(a, owner.accessToken, [online.userId, offline.userId]);
    const s = await connect(b, online.accessToken);
    const got = nextEvent(s, 'message:new');
    const msg = await send(a, owner.accessToken, chat, 'anyone there?');
    await got;
    await outboxDelivered(a);
    expect(await outboxPayloads(a, 'chat.message_missed', chat)).toEqual([
      { chat_id: chat, message_id: msg.id, seq: msg.seq, user_ids: [offline.userId] },
    ]);
  });

  it('ends the chat rooms of a revoked member: their socket is closed and they stop receiving', async () => {
    const { owner, people } = await team(a, 2);
    const [ann, bob] = people;
    const chat = await createGroup(a, owner.accessToken, [ann.userId, bob.userId]);
    const annSocket = await connect(b, ann.accessToken);
    const closed = nextEvent<string>(annSocket, 'disconnect');
    await a.http.post(`/users/${ann.userId}/revoke`, {}, { token: owner.accessToken });
    expect(await closed).toBe('io server disconnect');
    await outboxDelivered(a);
    expect((await a.http.get(`/chats/${chat}`, { token: bob.accessToken })).body.data.members).toHaveLength(2);
  });

  it('refuses a socket from an Origin outside CORS_ORIGINS and admits one from inside it', async () => {
    {
      const strict = b;
      const org = await registerOrg(strict.http);
      const open = (origin: string) =>
        new Promise<string>((resolve) => {
          const s = io(strict.url, {
            transports: ['websocket'],
            reconnection: false,
            forceNew: true,
            query: { token: org.accessToken },
            extraHeaders: { origin },
          });
          s.once('connected', () => (s.close(), resolve('admitted')));
          s.once('connect_error', (err) => (s.close(), resolve(`refused: ${err.message}`)));
        });
      expect(await open('https://evil.example.net')).toMatch(/^refused/);
      expect(await open(APP_ORIGIN)).toBe('admitted');
    }
  });
});

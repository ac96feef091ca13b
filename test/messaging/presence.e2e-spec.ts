import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PresenceService } from '@atrium/messaging';
import { TYPING_THROTTLE_MS } from '@atrium/messaging/presence/typing.gateway.js';
import { controlClock } from '../support/clock.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { createMember, type Member } from '../support/members.js';
import { connectSocket, nextEvent } from '../support/socket.js';
import { startTestApp, testRedisUrl, type TestApp } from '../support/test-app.js';

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

async function socketOf(t: TestApp, who: { accessToken: string; organizationId: string }) {
  const s = await connectSocket(t.url, { token: who.accessToken, organizationId: who.organizationId });
  open.push(s);
  return s;
}

/** Every `presence:changed` the socket receives about `userId`, in order. */
function presenceLog(socket: Socket, userId: string): string[] {
  const seen: string[] = [];
  socket.on('presence:changed', (p: { user_id: string; status: string }) => {
    if (p.user_id === userId) seen.push(p.status);
  });
  return seen;
}

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A group chat straight in the database (the chats API is tested on its own). */
async function groupChat(org: RegisteredOrg, members: string[]): Promise<string> {
  const ds = a.db;
  const [{ id }] = await ds.query<Array<{ id: string }>>(
    `INSERT INTO chats (organization_id, type, name, created_by) VALUES ($1, 'group', 'Team', $2) RETURNING id`,
    [org.organizationId, org.userId],
  );
  for (const userId of members) {
    await ds.query(`INSERT INTO chat_members (chat_id, user_id, organization_id) VALUES ($1, $2, $3)`, [id, userId, org.organizationId]);
  }
  return id;
}

describe(`presence across instances (fan-out over ${testRedisUrl ? 'Redis' : 'PostgreSQL'})`, () => {
  let owner: RegisteredOrg;
  let member: Member;

  beforeAll(async () => {
    owner = await registerOrg(a.http);
    member = await createMember(a, owner, 'member');
  });

  it('announces online at the first socket on any instance and offline when the last one goes, once each', async () => {
    const watcher = await socketOf(b, owner);
    const log = presenceLog(watcher, member.userId);
    const first = await socketOf(a, member);
    await until(() => log.length === 1);
    expect(log).toEqual(['online']);
    const listed = await b.http.get('/presence', { token: owner.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((p: { user_id: string }) => p.user_id)).toContain(member.userId);

    // A second socket on the other instance: still one member online; closing the first leaves them online.
    const second = await socketOf(b, member);
    first.close();
    await until(
      async () =>
        (
          await a.db.query(`SELECT 1 FROM presence_sockets WHERE user_id = $1 AND instance_id = $2`, [
            member.userId,
            a.app.get(PresenceService).instanceId,
          ])
        ).length === 0,
    );
    second.close();
    await until(() => log.length === 2);
    expect(log).toEqual(['online', 'offline']);
    const after = await a.http.get('/presence', { token: owner.accessToken });
    expect(after.body.data.map((p: { user_id: string }) => p.user_id)).not.toContain(member.userId);
  });

  it('tells only the organization the socket acts for', async () => {
    const stranger = await registerOrg(a.http);
    const theirs = await socketOf(a, stranger);
    const strangerLog = presenceLog(theirs, member.userId);
    const watcher = await socketOf(a, owner);
    const log = presenceLog(watcher, member.userId);
    const s = await socketOf(b, member);
    await until(() => log.length === 1);
    s.close();
    await until(() => log.length === 2);
    expect(strangerLog).toEqual([]);
  });

  it('takes the sockets of an instance that stopped beating out of the count, announcing offline', async () => {
    const ds = a.db;
    const watcher = await socketOf(a, owner);
    const log = presenceLog(watcher, member.userId);
    // An instance that died with one of the member's sockets: its last heartbeat is a minute old.
    const dead = randomUUID();
    await ds.query(`INSERT INTO socket_instances (id, heartbeat_at) VALUES ($1, now() - interval '1 minute')`, [dead]);
    await ds.query(`INSERT INTO presence_sockets (organization_id, user_id, instance_id, sockets) VALUES ($1, $2, $3, 2)`, [
      owner.organizationId,
      member.userId,
      dead,
    ]);
    expect((await a.http.get('/presence', { token: owner.accessToken })).body.data.map((p: { user_id: string }) => p.user_id)).toContain(
      member.userId,
    );
    await b.app.get(PresenceService).sweep();
    await until(() => log.length === 1);
    expect(log).toEqual(['offline']);
    expect(await ds.query(`SELECT 1 FROM socket_instances WHERE id = $1`, [dead])).toEqual([]);
  });
});

describe(`typing across instances (fan-out over ${testRedisUrl ? 'Redis' : 'PostgreSQL'})`, () => {
  it('relays typing:start and typing:stop to the chat on every instance, throttled, and only from its members', async () => {
    const owner = await registerOrg(a.http);
    const member = await createMember(a, owner, 'member');
    const outsider = await createMember(a, owner, 'member');
    const chatId = await groupChat(owner, [owner.userId, member.userId]);
    const listener = await socketOf(a, owner);
    const outsiderSocket = await socketOf(a, outsider);
    const outsiderHeard: unknown[] = [];
    outsiderSocket.on('typing:start', (p) => outsiderHeard.push(p));
    const typist = await socketOf(b, member);

    // Someone outside the chat (same organization) is refused and the chat hears nothing from them.
    const refused = await outsiderSocket.emitWithAck('typing:start', { chat_id: chatId });
    expect(refused).toMatchObject({ statusCode: 404, code: 'chat_not_found' });

    // The typist's instance runs on a clock the test moves.
    const clock = controlClock(b, new Date('2026-03-01T10:00:00Z'));
    try {
      const heard = nextEvent<{ chat_id: string; user_id: string }>(listener, 'typing:start');
      expect(await typist.emitWithAck('typing:start', { chat_id: chatId })).toEqual({ data: { relayed: true } });
      expect(await heard).toEqual({ chat_id: chatId, user_id: member.userId });
      // Repeats within the throttle window are not relayed; once it has passed, the next one is.
      clock.advance(TYPING_THROTTLE_MS - 1);
      expect(await typist.emitWithAck('typing:start', { chat_id: chatId.toUpperCase() })).toEqual({ data: { relayed: false } });
      clock.advance(1);
      const again = nextEvent<{ chat_id: string; user_id: string }>(listener, 'typing:start');
      expect(await typist.emitWithAck('typing:start', { chat_id: chatId })).toEqual({ data: { relayed: true } });
      expect(await again).toEqual({ chat_id: chatId, user_id: member.userId });
    } finally {
      clock.release();
    }

    const stopped = nextEvent<{ chat_id: string; user_id: string }>(listener, 'typing:stop');
    expect(await typist.emitWithAck('typing:stop', { chat_id: chatId })).toEqual({ data: { relayed: true } });
    expect(await stopped).toEqual({ chat_id: chatId, user_id: member.userId });
    expect(outsiderHeard).toEqual([]);

    expect(await typist.emitWithAck('typing:start', { chat_id: 'not-a-chat' })).toMatchObject({ code: 'chat_not_found' });
  });
});

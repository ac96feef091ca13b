import { createHmac } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertChat } from '../support/chats.js';
import { createMember, dataSource, type Member, registerOrg, setPackage } from '../support/members.js';
import { connectSocket, nextEvent } from '../support/socket.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const TURN_SECRET = 'calls-spec-turn-secret-0123456789';

let t: TestApp;
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await startTestApp({ STUN_URLS: 'stun:stun.atrium.test:3478', TURN_URLS: 'turn:turn.atrium.test:3478', TURN_SECRET });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

async function connect(m: { accessToken: string }) {
  const s = await connectSocket(t.url, { token: m.accessToken });
  sockets.push(s);
  return s;
}

/** An organization on the Basic package (which includes calls) with its owner and two members in a direct chat. */
async function team() {
  const owner = await registerOrg(t.http);
  await setPackage(t, owner.organizationId, 'basic');
  const ann = await createMember(t, owner, 'member');
  const bob = await createMember(t, owner, 'member');
  const chatId = await insertChat(t, owner.organizationId, [ann.userId, bob.userId]);
  return { owner, ann, bob, chatId };
}

const as = (m: { accessToken: string }) => ({ token: m.accessToken });

async function startCall(m: Member, chatId: string, callType = 'video') {
  const res = await t.http.post(`/calls/chats/${chatId}`, { call_type: callType }, as(m));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data as { id: string; status: string; participants: Array<{ user_id: string; state: string }> };
}

/** The events named `names` a socket receives from now on, in order. */
function record(socket: Socket, names: string[]) {
  const seen: Array<{ name: string; payload: any }> = [];
  for (const name of names) socket.on(name, (payload: unknown) => seen.push({ name, payload }));
  return seen;
}

describe('calls over REST', () => {
  it('start rings the other member, who joins; media, leave and the last leave end the call as completed', async () => {
    const { ann, bob, chatId } = await team();
    const annSocket = await connect(ann);
    const bobSocket = await connect(bob);
    const annSeen = record(annSocket, ['call:incoming', 'call:answered', 'call:media', 'call:left', 'call:ended']);

    const incoming = nextEvent<any>(bobSocket, 'call:incoming');
    const call = await startCall(ann, chatId);
    expect(call).toMatchObject({ chat_id: chatId, call_type: 'video', status: 'ringing', end_reason: null, started_by: ann.userId });
    expect(Object.fromEntries(call.participants.map((p) => [p.user_id, p.state]))).toEqual({
      [ann.userId]: 'joined',
      [bob.userId]: 'invited',
    });
    expect(await incoming).toMatchObject({ from_user_id: ann.userId, call: { id: call.id, status: 'ringing' } });

    const active = await t.http.get(`/calls/chats/${chatId}/active`, as(bob));
    expect(active.body.data).toMatchObject({ id: call.id, status: 'ringing' });

    const answered = nextEvent<any>(annSocket, 'call:answered');
    const joined = await t.http.post(`/calls/${call.id}/join`, {}, as(bob));
    expect(joined.status).toBe(200);
    expect(joined.body.data).toMatchObject({ status: 'active', answered_at: expect.any(String) });
    expect(await answered).toMatchObject({ call_id: call.id, user_id: bob.userId, call: { status: 'active' } });
    // Joining again changes nothing.
    expect((await t.http.post(`/calls/${call.id}/join`, {}, as(bob))).body.data.status).toBe('active');

    const media = nextEvent<any>(annSocket, 'call:media');
    const muted = await t.http.put(`/calls/${call.id}/media`, { audio_enabled: false, video_enabled: true }, as(bob));
    expect(muted.status).toBe(200);
    expect(muted.body.data.participants.find((p: any) => p.user_id === bob.userId)).toMatchObject({
      audio_enabled: false,
      video_enabled: true,
    });
    expect(await media).toEqual({ call_id: call.id, chat_id: chatId, user_id: bob.userId, audio_enabled: false, video_enabled: true });

    const left = nextEvent<any>(annSocket, 'call:left');
    expect((await t.http.post(`/calls/${call.id}/leave`, {}, as(bob))).body.data.status).toBe('active');
    expect(await left).toMatchObject({ call_id: call.id, user_id: bob.userId, reason: 'left' });

    const ended = nextEvent<any>(bobSocket, 'call:ended');
    const annEnded = nextEvent<any>(annSocket, 'call:ended');
    const history = nextEvent<any>(bobSocket, 'message:new');
    const last = await t.http.post(`/calls/${call.id}/leave`, {}, as(ann));
    expect(last.body.data).toMatchObject({ status: 'ended', end_reason: 'completed', ended_by: ann.userId });
    expect(await ended).toMatchObject({ call_id: call.id, chat_id: chatId, reason: 'completed', ended_by: ann.userId });
    await annEnded;
    // The caller is not rung by their own call, joining twice told nobody twice, and each leave was told once.
    expect(annSeen.map((e) => `${e.name} ${e.payload.user_id ?? e.payload.reason}`)).toEqual([
      `call:answered ${bob.userId}`,
      `call:media ${bob.userId}`,
      `call:left ${bob.userId}`,
      `call:left ${ann.userId}`,
      'call:ended completed',
    ]);
    expect((await t.http.get(`/calls/chats/${chatId}/active`, as(ann))).body).toEqual({ data: null });
    // The chat's history keeps one SYSTEM message for the call, sent by whoever ended it, unread by nobody.
    const note = await history;
    expect(note).toMatchObject({ chat_id: chatId, seq: 1, message_type: 'SYSTEM', sender_id: ann.userId });
    expect(note.system).toEqual({
      event: 'call_ended',
      actor_id: ann.userId,
      call_id: call.id,
      reason: 'completed',
      duration_seconds: expect.any(Number),
    });
    expect(note.content).toMatch(/^Call ended \(completed\) after \d+ s$/);
    expect((await t.http.get(`/chats/${chatId}/messages`, as(bob))).body.data).toEqual([note]);
    expect((await t.http.get(`/chats/${chatId}`, as(bob))).body.data).toMatchObject({ last_seq: 1, unread_count: 0 });

    const audit = await dataSource(t).query(`SELECT action FROM audit_logs WHERE resource_id = $1 ORDER BY created_at`, [call.id]);
    expect(audit.map((r: { action: string }) => r.action)).toEqual(['call.started', 'call.ended']);
  });

  it('nothing leaves ended: join, leave, end, reject and media answer 409 call_ended', async () => {
    const { ann, bob, chatId } = await team();
    const call = await startCall(ann, chatId, 'audio');
    const ended = await t.http.post(`/calls/${call.id}/end`, {}, as(ann));
    expect(ended.body.data).toMatchObject({ status: 'ended', end_reason: 'cancelled' });
    for (const [method, path, body] of [
      ['post', 'join', {}],
      ['post', 'leave', {}],
      ['post', 'end', {}],
      ['post', 'reject', {}],
      ['put', 'media', { audio_enabled: true, video_enabled: false }],
    ] as const) {
      const res = await t.http[method](`/calls/${call.id}/${path}`, body, as(bob));
      expect([path, res.status, res.body.code]).toEqual([path, 409, 'call_ended']);
    }
    expect((await t.http.get(`/calls/${call.id}`, as(bob))).body.data).toMatchObject({ status: 'ended', end_reason: 'cancelled' });
    // One SYSTEM message, however many attempts to end it again.
    const history = (await t.http.get(`/chats/${chatId}/messages`, as(bob))).body.data;
    expect(history.map((m: any) => [m.seq, m.sender_id, m.system])).toEqual([
      [1, ann.userId, { event: 'call_ended', actor_id: ann.userId, call_id: call.id, reason: 'cancelled', duration_seconds: 0 }],
    ]);
  });

  it('a rejection by the only one rung ends the call as rejected; only someone rung may reject, only someone in it may end', async () => {
    const { ann, bob, chatId } = await team();
    const call = await startCall(ann, chatId);
    const annSocket = await connect(ann);
    expect((await t.http.post(`/calls/${call.id}/reject`, {}, as(ann))).body.code).toBe('call_not_invited');
    expect((await t.http.post(`/calls/${call.id}/end`, {}, as(bob))).body.code).toBe('call_not_joined');
    expect((await t.http.post(`/calls/${call.id}/leave`, {}, as(bob))).body.code).toBe('call_not_joined');
    expect((await t.http.put(`/calls/${call.id}/media`, { audio_enabled: true, video_enabled: true }, as(bob))).body.code).toBe(
      'call_not_joined',
    );

    const reject = nextEvent<any>(annSocket, 'call:reject');
    const ended = nextEvent<any>(annSocket, 'call:ended');
    const res = await t.http.post(`/calls/${call.id}/reject`, {}, as(bob));
    expect(res.body.data).toMatchObject({ status: 'ended', end_reason: 'rejected' });
    expect(res.body.data.participants.find((p: any) => p.user_id === bob.userId).state).toBe('rejected');
    expect(await reject).toEqual({ call_id: call.id, chat_id: chatId, user_id: bob.userId });
    expect(await ended).toMatchObject({ reason: 'rejected' });
  });

  it('in a group, one rejection leaves the call ringing for the others', async () => {
    const { owner, ann, bob } = await team();
    const cid = await createMember(t, owner, 'member');
    const chatId = await insertChat(t, owner.organizationId, [ann.userId, bob.userId, cid.userId], 'Standup');
    const call = await startCall(ann, chatId);
    expect((await t.http.post(`/calls/${call.id}/reject`, {}, as(bob))).body.data.status).toBe('ringing');
    expect((await t.http.post(`/calls/${call.id}/join`, {}, as(cid))).body.data.status).toBe('active');
  });

  it('one call per chat, also when starts race', async () => {
    const { ann, bob, chatId } = await team();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => t.http.post(`/calls/chats/${chatId}`, { call_type: 'audio' }, as(i % 2 ? ann : bob))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'call_in_progress')).toBe(true);
    const [{ n }] = await dataSource(t).query(`SELECT count(*)::int AS n FROM calls WHERE chat_id = $1`, [chatId]);
    expect(n).toBe(1);
    // Once it ends, a new call may start.
    const open = results.find((r) => r.status === 201)!.body.data;
    await t.http.post(`/calls/${open.id}/end`, {}, as(open.started_by === ann.userId ? ann : bob));
    await startCall(ann, chatId);
  });

  it('bad input answers 400 naming every problem and changes nothing', async () => {
    const { ann, chatId } = await team();
    const bad = await t.http.post(`/calls/chats/${chatId}`, { call_type: 'hologram', extra: 1 }, as(ann));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.details)).toMatch(/call_type/);
    expect(JSON.stringify(bad.body.details)).toMatch(/extra/);
    expect((await t.http.get(`/calls/chats/${chatId}/active`, as(ann))).body.data).toBeNull();

    const call = await startCall(ann, chatId);
    const media = await t.http.put(`/calls/${call.id}/media`, { audio_enabled: 'yes' }, as(ann));
    expect(media.status).toBe(400);
    const fields = (media.body.details as Array<{ field: string }>).map((d) => d.field).sort();
    expect(fields).toEqual(['audio_enabled', 'video_enabled']);
    expect((await t.http.get(`/calls/${call.id}`, as(ann))).body.data.participants[0]).toMatchObject({
      audio_enabled: true,
      video_enabled: true,
    });

    // Ids that are not ids are no chat or call of yours.
    expect((await t.http.post('/calls/chats/not-a-uuid', { call_type: 'audio' }, as(ann))).body.code).toBe('chat_not_found');
    expect((await t.http.get('/calls/chats/not-a-uuid/active', as(ann))).body.code).toBe('chat_not_found');
    for (const path of ['join', 'leave', 'end', 'reject']) {
      expect([path, (await t.http.post(`/calls/not-a-uuid/${path}`, {}, as(ann))).body.code]).toEqual([path, 'call_not_found']);
    }
    expect((await t.http.put('/calls/not-a-uuid/media', { audio_enabled: true, video_enabled: true }, as(ann))).body.code).toBe(
      'call_not_found',
    );
    expect((await t.http.get(`/calls/${call.id}`, as(ann))).body.data.status).toBe('ringing');
  });

  it('only members of the chat see or act on its calls; another organization gets 404', async () => {
    const { owner, ann, chatId } = await team();
    const outsider = await createMember(t, owner, 'member');
    const other = await registerOrg(t.http);
    await setPackage(t, other.organizationId, 'basic');
    const call = await startCall(ann, chatId);
    for (const who of [outsider, other]) {
      expect((await t.http.post(`/calls/chats/${chatId}`, { call_type: 'audio' }, as(who))).body.code).toBe('chat_not_found');
      expect((await t.http.get(`/calls/chats/${chatId}/active`, as(who))).status).toBe(404);
      expect((await t.http.get(`/calls/${call.id}`, as(who))).body.code).toBe('call_not_found');
      for (const path of ['join', 'leave', 'end', 'reject']) {
        expect([path, (await t.http.post(`/calls/${call.id}/${path}`, {}, as(who))).status]).toEqual([path, 404]);
      }
      expect((await t.http.put(`/calls/${call.id}/media`, { audio_enabled: true, video_enabled: true }, as(who))).status).toBe(404);
    }
    expect((await t.http.get(`/calls/not-a-uuid`, as(ann))).status).toBe(404);
    expect((await t.http.get(`/calls/${call.id}`, as(ann))).body.data.status).toBe('ringing');
  });

  it('the Free package has no calls: REST and socket answer 403 feature_not_in_package', async () => {
    const { owner, ann, bob, chatId } = await team();
    const call = await startCall(ann, chatId);
    await t.http.post(`/calls/${call.id}/join`, {}, as(bob));
    await setPackage(t, owner.organizationId, 'free');
    const res = await t.http.post(`/calls/chats/${chatId}`, { call_type: 'audio' }, as(ann));
    expect([res.status, res.body.code]).toEqual([403, 'feature_not_in_package']);
    expect((await t.http.get('/calls/ice-servers', as(ann))).body.code).toBe('feature_not_in_package');
    const s = await connect(ann);
    const ack = await s
      .timeout(5000)
      .emitWithAck('call:offer', { call_id: call.id, to_user_id: bob.userId, sdp: { type: 'offer', sdp: 'v=0' } });
    expect(ack).toMatchObject({ statusCode: 403, code: 'feature_not_in_package' });
  });
});

describe('signaling over socket.io', () => {
  it('relays offer, answer and ICE candidates between joined participants only', async () => {
    const { owner, ann, bob } = await team();
    const cid = await createMember(t, owner, 'member');
    const group = await insertChat(t, owner.organizationId, [ann.userId, bob.userId, cid.userId], 'Trio');
    const [annS, bobS, cidS] = await Promise.all([connect(ann), connect(bob), connect(cid)]);
    const call = await startCall(ann, group);
    const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };

    // Bob is rung but has not joined: nobody may signal him, and he may not signal.
    const refused = await annS.timeout(5000).emitWithAck('call:offer', { call_id: call.id, to_user_id: bob.userId, sdp: offer });
    expect(refused).toMatchObject({ statusCode: 409, code: 'call_peer_not_joined' });
    const notJoined = await bobS.timeout(5000).emitWithAck('call:offer', { call_id: call.id, to_user_id: ann.userId, sdp: offer });
    expect(notJoined).toMatchObject({ statusCode: 409, code: 'call_not_joined' });

    const bobOffers = record(bobS, ['call:offer']);
    const cidOffers = record(cidS, ['call:offer', 'call:ice-candidate']);
    await t.http.post(`/calls/${call.id}/join`, {}, as(bob));
    const received = nextEvent<any>(bobS, 'call:offer');
    const ack = await annS.timeout(5000).emitWithAck('call:offer', { call_id: call.id, to_user_id: bob.userId, sdp: offer });
    expect(ack).toEqual({ data: { call_id: call.id, to_user_id: bob.userId } });
    expect(await received).toEqual({ call_id: call.id, from_user_id: ann.userId, sdp: offer });
    // The refused offer never arrived: the first offer Bob saw is the one sent after he joined.
    expect(bobOffers).toHaveLength(1);

    const answer = nextEvent<any>(annS, 'call:answer');
    await bobS.timeout(5000).emitWithAck('call:answer', { call_id: call.id, to_user_id: ann.userId, sdp: { type: 'answer', sdp: 'v=0' } });
    expect(await answer).toMatchObject({ from_user_id: bob.userId, sdp: { type: 'answer', sdp: 'v=0' } });

    const candidate = {
      candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: null,
    };
    const gotCandidate = nextEvent<any>(bobS, 'call:ice-candidate');
    expect(
      await annS.timeout(5000).emitWithAck('call:ice-candidate', { call_id: call.id, to_user_id: bob.userId, candidate }),
    ).toHaveProperty('data');
    expect(await gotCandidate).toEqual({ call_id: call.id, from_user_id: ann.userId, candidate });
    // Cid, rung but not joined, received none of it.
    expect(cidOffers).toEqual([]);

    // A user outside the chat gets 404, as for another organization's call.
    const outsider = await createMember(t, owner, 'member');
    const outS = await connect(outsider);
    expect(await outS.timeout(5000).emitWithAck('call:offer', { call_id: call.id, to_user_id: bob.userId, sdp: offer })).toMatchObject({
      statusCode: 404,
      code: 'call_not_found',
    });
  });

  it('refuses malformed signaling messages naming every bad field', async () => {
    const { ann } = await team();
    const s = await connect(ann);
    const ack = await s.timeout(5000).emitWithAck('call:offer', { call_id: 'nope', sdp: { type: 'banana' } });
    expect(ack).toMatchObject({ statusCode: 400, code: 'validation_failed' });
    const named = JSON.stringify(ack.details);
    for (const field of ['call_id', 'to_user_id', 'type', 'sdp']) expect(named).toContain(field);

    const candidate = await s
      .timeout(5000)
      .emitWithAck('call:ice-candidate', { call_id: 'nope', to_user_id: ann.userId, candidate: { sdpMLineIndex: -1 } });
    expect(candidate).toMatchObject({ statusCode: 400, code: 'validation_failed' });
    const candidateFields = JSON.stringify(candidate.details);
    for (const field of ['call_id', 'candidate', 'sdpMLineIndex']) expect(candidateFields).toContain(field);
    for (const event of ['call:end', 'call:reject']) {
      const ack = await s.timeout(5000).emitWithAck(event, { call_id: 42 });
      expect([event, ack.statusCode, ack.code, JSON.stringify(ack.details)]).toEqual([
        event,
        400,
        'validation_failed',
        expect.stringContaining('call_id'),
      ]);
    }
  });

  it('socket call:reject and call:end do what their routes do', async () => {
    const { owner, ann, bob } = await team();
    const cid = await createMember(t, owner, 'member');
    const group = await insertChat(t, owner.organizationId, [ann.userId, bob.userId, cid.userId], 'Socket');
    const [annS, bobS, cidS] = await Promise.all([connect(ann), connect(bob), connect(cid)]);
    const call = await startCall(ann, group, 'audio');
    const rejected = nextEvent<any>(annS, 'call:reject');
    expect(await bobS.timeout(5000).emitWithAck('call:reject', { call_id: call.id })).toMatchObject({ data: { status: 'ringing' } });
    expect(await rejected).toMatchObject({ user_id: bob.userId });

    await t.http.post(`/calls/${call.id}/join`, {}, as(cid));
    const ended = nextEvent<any>(cidS, 'call:ended');
    expect(await annS.timeout(5000).emitWithAck('call:end', { call_id: call.id })).toMatchObject({
      data: { status: 'ended', end_reason: 'completed', ended_by: ann.userId },
    });
    expect(await ended).toMatchObject({ call_id: call.id, reason: 'completed' });
    expect(await bobS.timeout(5000).emitWithAck('call:end', { call_id: call.id })).toMatchObject({ statusCode: 409, code: 'call_ended' });
  });
});

describe('ICE servers', () => {
  it('hands out STUN and TURN with a credential signed for the caller that expires after TURN_TTL_SECONDS', async () => {
    const { ann } = await team();
    const before = Math.floor(Date.now() / 1000);
    const res = await t.http.get('/calls/ice-servers', as(ann));
    expect(res.status).toBe(200);
    const { iceServers, ttl_seconds } = res.body.data;
    expect(ttl_seconds).toBe(3600);
    expect(iceServers[0]).toEqual({ urls: ['stun:stun.atrium.test:3478'] });
    const turn = iceServers[1];
    expect(turn.urls).toEqual(['turn:turn.atrium.test:3478']);
    const [expiry, userId] = turn.username.split(':');
    expect(userId).toBe(ann.userId);
    expect(Number(expiry) - before).toBeGreaterThanOrEqual(3600);
    expect(Number(expiry) - before).toBeLessThanOrEqual(3605);
    expect(turn.credential).toBe(createHmac('sha1', TURN_SECRET).update(turn.username).digest('base64'));
    expect(JSON.stringify(res.body)).not.toContain(TURN_SECRET);
  });

  it('without TURN_URLS answers STUN only', async () => {
    const plain = await startTestApp({ STUN_URLS: 'stun:a.atrium.test:3478,stun:b.atrium.test:3478' });
    try {
      const owner = await registerOrg(plain.http);
      await setPackage(plain, owner.organizationId, 'basic');
      const res = await plain.http.get('/calls/ice-servers', as(owner));
      expect(res.body).toEqual({
        data: { iceServers: [{ urls: ['stun:a.atrium.test:3478', 'stun:b.atrium.test:3478'] }], ttl_seconds: null },
      });
    } finally {
      await plain.close();
    }
  });
});

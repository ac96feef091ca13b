import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIdFor } from '@atrium/platform';
import { insertChat } from '../support/chats.js';
import { settledJob } from '../support/jobs.js';
import { createMember, dataSource, registerOrg, setPackage } from '../support/members.js';
import { connectSocket, nextEvent } from '../support/socket.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Calls' timers on the queue (delayed jobs, both backends), with short settings as an operator would set them. */

const RING_SECONDS = 2;
const GRACE_SECONDS = 2;
const CALL_TIMEOUT_QUEUE = 'messaging-call-timeouts';

let t: TestApp;
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await startTestApp({ CALL_RING_TIMEOUT_SECONDS: String(RING_SECONDS), CALL_RECONNECT_GRACE_SECONDS: String(GRACE_SECONDS) });
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

const as = (m: { accessToken: string }) => ({ token: m.accessToken });

/** Three members of a Basic organization in one group chat. */
async function trio() {
  const owner = await registerOrg(t.http);
  await setPackage(t, owner.organizationId, 'basic');
  const [ann, bob, cid] = [
    await createMember(t, owner, 'member'),
    await createMember(t, owner, 'member'),
    await createMember(t, owner, 'member'),
  ];
  const chatId = await insertChat(t, owner.organizationId, [ann.userId, bob.userId, cid.userId], 'Timers');
  return { owner, ann, bob, cid, chatId };
}

/** What the queue's job with this idempotency key returned, once it has run. */
async function jobResult(key: string): Promise<unknown> {
  const job = await settledJob(t.app.get<Queue>(getQueueToken(CALL_TIMEOUT_QUEUE), { strict: false }), jobIdFor(key));
  expect(job.failedReason).toBeUndefined();
  return job.returnvalue;
}

describe('ring timeout', () => {
  it('ends a call nobody answered as missed and publishes call.missed naming who was not reached', async () => {
    const { ann, bob, cid, chatId } = await trio();
    const annS = await connect(ann);
    const started = await t.http.post(`/calls/chats/${chatId}`, { call_type: 'audio' }, as(ann));
    const callId = started.body.data.id as string;
    // Cid declined; Bob never answered.
    await t.http.post(`/calls/${callId}/reject`, {}, as(cid));
    const startedAt = Date.now();
    const ended = await nextEvent<any>(annS, 'call:ended', (RING_SECONDS + 10) * 1000);
    expect(Date.now() - startedAt).toBeGreaterThan(RING_SECONDS * 1000 - 1000);
    expect(ended).toMatchObject({ call_id: callId, chat_id: chatId, reason: 'missed', ended_by: null });

    const call = (await t.http.get(`/calls/${callId}`, as(bob))).body.data;
    expect(call).toMatchObject({ status: 'ended', end_reason: 'missed' });
    expect(call.participants.find((p: any) => p.user_id === ann.userId).state).toBe('left');
    const [missed] = await dataSource(t).query(
      `SELECT payload, organization_id FROM outbox_events WHERE name = 'call.missed' AND payload->>'call_id' = $1`,
      [callId],
    );
    expect(missed.payload).toEqual({
      call_id: callId,
      chat_id: chatId,
      started_by: ann.userId,
      started_by_name: 'Mia Member',
      chat_name: 'Timers',
      user_ids: [bob.userId],
    });
    expect(missed.organization_id).toBe(ann.organizationId);
    // The chat's history: one missed call, written by nobody (the timer ended it).
    const history = (await t.http.get(`/chats/${chatId}/messages`, as(bob))).body.data;
    expect(history.map((m: any) => [m.message_type, m.sender_id, m.system])).toEqual([
      [
        'SYSTEM',
        null,
        { event: 'call_missed', actor_id: null, call_id: callId, reason: 'missed', duration_seconds: 0, user_ids: [bob.userId] },
      ],
    ]);

    // Run twice (a redelivered job): nothing more happens.
    expect(await jobResult(`call-ring:${callId}`)).toEqual({ changed: 1 });
    const queue = t.app.get<Queue>(getQueueToken(CALL_TIMEOUT_QUEUE), { strict: false });
    await queue.add('ring-timeout', (await queue.getJob(jobIdFor(`call-ring:${callId}`)))!.data, { jobId: jobIdFor(`again:${callId}`) });
    expect(await jobResult(`again:${callId}`)).toEqual({ changed: 0 });
    const [{ n }] = await dataSource(t).query(
      `SELECT count(*)::int AS n FROM outbox_events WHERE name = 'call.missed' AND payload->>'call_id' = $1`,
      [callId],
    );
    expect(n).toBe(1);
  });

  it('leaves an answered call alone', async () => {
    const { ann, bob, chatId } = await trio();
    const callId = (await t.http.post(`/calls/chats/${chatId}`, { call_type: 'audio' }, as(ann))).body.data.id as string;
    await t.http.post(`/calls/${callId}/join`, {}, as(bob));
    expect(await jobResult(`call-ring:${callId}`)).toEqual({ changed: 0 });
    expect((await t.http.get(`/calls/${callId}`, as(ann))).body.data.status).toBe('active');
  });
});

describe('reconnect grace', () => {
  it('takes out a participant whose sockets stay gone, and the call ends as dropped when the last one goes', async () => {
    const { ann, bob, cid, chatId } = await trio();
    const [annS, bobS, cidS] = await Promise.all([connect(ann), connect(bob), connect(cid)]);
    const callId = (await t.http.post(`/calls/chats/${chatId}`, { call_type: 'video' }, as(ann))).body.data.id as string;
    await t.http.post(`/calls/${callId}/join`, {}, as(bob));

    const bobOut = nextEvent<any>(cidS, 'call:left', (GRACE_SECONDS + 10) * 1000);
    const droppedAt = Date.now();
    bobS.close();
    expect(await bobOut).toEqual({ call_id: callId, chat_id: chatId, user_id: bob.userId, reason: 'disconnected' });
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000 - 500);
    expect((await t.http.get(`/calls/${callId}`, as(ann))).body.data.status).toBe('active');

    const ended = nextEvent<any>(cidS, 'call:ended', (GRACE_SECONDS + 10) * 1000);
    annS.close();
    expect(await ended).toMatchObject({ call_id: callId, reason: 'dropped', ended_by: null });
  });

  it('keeps a participant who reconnects within the grace period', async () => {
    const { owner, ann, bob, chatId } = await trio();
    await connect(ann);
    const bobS = await connect(bob);
    const callId = (await t.http.post(`/calls/chats/${chatId}`, { call_type: 'video' }, as(ann))).body.data.id as string;
    await t.http.post(`/calls/${callId}/join`, {}, as(bob));
    const socketId = bobS.id!;
    bobS.close();
    await connect(bob);
    expect(await jobResult(`call-grace:${owner.organizationId}:${bob.userId}:${socketId}`)).toEqual({ changed: 0 });
    const call = (await t.http.get(`/calls/${callId}`, as(ann))).body.data;
    expect(call.status).toBe('active');
    expect(call.participants.find((p: any) => p.user_id === bob.userId).state).toBe('joined');
  });
});

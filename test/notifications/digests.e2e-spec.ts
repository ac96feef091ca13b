import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbox } from '@atrium/platform';
import {
  DIGEST_JOB,
  DIGEST_OPENED,
  DIGEST_SWEEP_JOB,
  DIGEST_SWEEP_SCHEDULER,
  digestJobId,
  type DigestOutcome,
  DigestSender,
  NOTIFICATIONS_QUEUE,
} from '@atrium/notifications';
import { send } from '../messaging/chat-support.js';
import { insertChat } from '../support/chats.js';
import { settledJob } from '../support/jobs.js';
import { Mailbox } from '../support/mailbox.js';
import { createMember, dataSource, type Member, registerOrg, setPackage } from '../support/members.js';
import { addMember, waitForMails } from '../support/security.js';
import { connectSocket, nextEvent, outboxDelivered, stillConnected } from '../support/socket.js';
import { startTestApp, testRedisUrl, type TestApp } from '../support/test-app.js';

/**
 * Digests of missed chat messages end to end (REST, outbox, delayed jobs on the queue, SMTP), with a 6 s window
 * (NOTIFICATION_DIGEST_MINUTES takes fractions), and the mention and missed-call notifications on sockets and by mail.
 */
const ENV = { NOTIFICATION_DIGEST_MINUTES: '0.1', CALL_RING_TIMEOUT_SECONDS: '2' };

let mailbox: Mailbox;
let t: TestApp;
const sockets: Socket[] = [];

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  t = await startTestApp({ SMTP_URL: mailbox.url, ...ENV });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
  await mailbox?.stop();
});

const queue = (app: TestApp) => app.app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
const as = (m: { accessToken: string }) => ({ token: m.accessToken });
type DigestJobData = { data: { digest_id: string } };

/** An organization where Sam writes in a group chat to Rita, who has no socket. */
async function chatWithAbsentReader(name = 'Ops') {
  const owner = await registerOrg(t.http);
  const sam = await createMember(t, owner, 'member', { first_name: 'Sam', last_name: 'Sender' });
  const rita = await createMember(t, owner, 'member', { first_name: 'Rita', last_name: 'Reader' });
  const chat = await insertChat(t, owner.organizationId, [sam.userId, rita.userId], name);
  return { owner, sam, rita, chat };
}

async function sendLines(via: TestApp[], from: Member, chat: string, prefix: string, n: number) {
  const sent = [];
  for (let i = 1; i <= n; i++)
    sent.push(await send(via[i % via.length], from.accessToken, chat, `${prefix} ${String(i).padStart(2, '0')}`));
  return sent;
}

/** The ids of the digests opened for a user and chat, waiting for at least `n`. */
async function openedDigests(userId: string, chat: string, n = 1): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const rows: Array<{ id: string }> = await dataSource(t).query(
      `SELECT d ->> 'id' AS id FROM outbox_events e CROSS JOIN jsonb_array_elements(e.payload -> 'digests') d
        WHERE e.name = $1 AND d ->> 'user_id' = $2 AND d ->> 'group' = $3 ORDER BY e.seq`,
      [DIGEST_OPENED, userId, chat],
    );
    if (rows.length >= n) return rows.map((r) => r.id);
    if (Date.now() > deadline) throw new Error(`no digest opened for ${userId} in ${chat}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function digestOutcome(id: string, via = t): Promise<DigestOutcome> {
  const job = await settledJob(queue(via), digestJobId(id), 30_000);
  expect(job.failedReason).toBeUndefined();
  return job.returnvalue as DigestOutcome;
}

/** The digest mails a user received (their account mails, such as the welcome, are not counted). */
const digestMails = (to: string) => mailbox.messages.filter((m) => m.to.includes(to.toLowerCase()) && /new messages?\b/.test(m.subject));

/** Waits until a digest holds `n` gathered events (the outbox relays them a moment after each message commits). */
async function gathered(digest: string, n: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [{ count }] = await dataSource(t).query<Array<{ count: number }>>(
      `SELECT count(*)::int AS count FROM notification_digest_items WHERE digest_id = $1`,
      [digest],
    );
    if (count === n) return;
    if (Date.now() > deadline) throw new Error(`digest ${digest} holds ${count} of ${n} events`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What the digest tables still hold for an organization: nothing once its digests are sent or cancelled. */
async function gatheredRows(organizationId: string): Promise<number> {
  const [{ n }] = await dataSource(t).query<Array<{ n: number }>>(
    `SELECT (SELECT count(*) FROM notification_digests WHERE organization_id = $1)
          + (SELECT count(*) FROM notification_digest_items WHERE organization_id = $1)
          + (SELECT count(*) FROM notification_digest_events WHERE organization_id = $1) AS n`,
    [organizationId],
  );
  return Number(n);
}

describe(`digests of missed messages (BullMQ on ${testRedisUrl ? 'Redis' : 'PostgreSQL'})`, () => {
  it('mails 20 missed messages as one digest naming the count, the sender and the latest lines, kept out of the in-app list', async () => {
    const { owner, sam, rita, chat } = await chatWithAbsentReader('Ops');
    const firstSent = Date.now();
    await sendLines([t], sam, chat, 'line', 20);
    const [digest] = await openedDigests(rita.userId, chat);
    expect(await digestOutcome(digest)).toEqual({ outcome: 'sent', events: 20 });
    // It gathered for NOTIFICATION_DIGEST_MINUTES from the first message, not less (a little slack for clock rounding).
    const window = Number(ENV.NOTIFICATION_DIGEST_MINUTES) * 60_000;
    expect((await queue(t).getJob(digestJobId(digest)))!.processedOn! - firstSent).toBeGreaterThanOrEqual(window - 50);

    const mail = await mailbox.waitFor(rita.email, /new messages/);
    expect(mail.subject).toBe('20 new messages in Ops');
    expect(mail.text).toContain('Sam Sender sent you 20 new messages in Ops while you were away.');
    for (const n of ['16', '17', '18', '19', '20']) expect(mail.text).toContain(`Sam Sender: line ${n}`);
    expect(mail.text).not.toContain('line 15');
    expect(mail.text).toContain(`http://atrium.test/chats/${chat}`);
    // Every message went into that one digest: no other can mail Rita about them.
    expect(await openedDigests(rita.userId, chat)).toEqual([digest]);
    expect(digestMails(rita.email)).toHaveLength(1);
    // Email only by default: the chat list's unread counts already show missed messages in the app.
    expect((await t.http.get('/notifications', as(rita))).body).toMatchObject({ data: [], total: 0 });
    expect(await gatheredRows(owner.organizationId)).toBe(0);
  });

  it('sends nothing when the reader reads the chat before the window closes', async () => {
    const { owner, sam, rita, chat } = await chatWithAbsentReader('Quiet');
    const sent = await sendLines([t], sam, chat, 'hush', 3);
    const [digest] = await openedDigests(rita.userId, chat);
    const read = await t.http.post(`/chats/${chat}/read`, { seq: sent[2].seq }, as(rita));
    expect(read.status).toBe(200);

    expect(await digestOutcome(digest)).toEqual({ outcome: 'cancelled' });
    expect(digestMails(rita.email)).toEqual([]);
    const stored = await dataSource(t).query(`SELECT 1 FROM notifications WHERE user_id = $1`, [rita.userId]);
    expect(stored).toHaveLength(0);
    expect(await gatheredRows(owner.organizationId)).toBe(0);
  });

  it('still mails what the read did not reach: a message past its seq, and messages sent after it', async () => {
    const { sam, rita, chat } = await chatWithAbsentReader('Later');
    const before = await sendLines([t], sam, chat, 'early', 3);
    const [digest] = await openedDigests(rita.userId, chat);
    await gathered(digest, 3);
    // Read up to the second message only (the third came in while she was reading).
    expect((await t.http.post(`/chats/${chat}/read`, { seq: before[1].seq }, as(rita))).status).toBe(200);
    await sendLines([t], sam, chat, 'late', 2);

    expect(await digestOutcome(digest)).toEqual({ outcome: 'sent', events: 3 });
    const [mail] = await waitForMails(mailbox, rita.email, /new messages/, 1);
    expect(mail.subject).toBe('3 new messages in Later');
    expect(mail.text).toContain('Sam Sender: early 03\nSam Sender: late 01\nSam Sender: late 02');
    expect(mail.text).not.toContain('early 01');
    expect(mail.text).not.toContain('early 02');
  });

  it('gathers each chat separately', async () => {
    const { owner, sam, rita, chat } = await chatWithAbsentReader('Alpha');
    const beta = await insertChat(t, owner.organizationId, [sam.userId, rita.userId], 'Beta');
    await sendLines([t], sam, chat, 'alpha', 2);
    await sendLines([t], sam, beta, 'beta', 3);
    const [alphaDigest] = await openedDigests(rita.userId, chat);
    const [betaDigest] = await openedDigests(rita.userId, beta);
    expect(alphaDigest).not.toBe(betaDigest);

    expect(await digestOutcome(alphaDigest)).toEqual({ outcome: 'sent', events: 2 });
    expect(await digestOutcome(betaDigest)).toEqual({ outcome: 'sent', events: 3 });
    const mails = await waitForMails(mailbox, rita.email, /new messages/, 2);
    expect(mails.map((m) => m.subject).sort()).toEqual(['2 new messages in Alpha', '3 new messages in Beta']);
    const alphaMail = mails.find((m) => m.subject.includes('Alpha'))!;
    expect(alphaMail.text).toContain('alpha 02');
    expect(alphaMail.text).not.toContain('beta');
  });
});

describe('a digest whose job was lost', () => {
  it('is ended by the sweep once overdue: one mail with what it gathered, and nothing left behind', async () => {
    expect(await queue(t).getJobScheduler(DIGEST_SWEEP_SCHEDULER)).toMatchObject({ every: 5 * 60_000, name: DIGEST_SWEEP_JOB });
    const { owner, sam, rita, chat } = await chatWithAbsentReader('Lost');
    await sendLines([t], sam, chat, 'lost', 3);
    const [digest] = await openedDigests(rita.userId, chat);
    // The queue loses the delayed job (a flushed Redis, a restored database) before it fires.
    let job = await queue(t).getJob(digestJobId(digest));
    for (const deadline = Date.now() + 15_000; !job && Date.now() < deadline; job = await queue(t).getJob(digestJobId(digest))) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await job!.remove();
    await gathered(digest, 3);
    await dataSource(t).query(`UPDATE notification_digests SET due_at = now() - interval '10 minutes' WHERE id = $1`, [digest]);

    const sweep = await queue(t).add(DIGEST_SWEEP_JOB, {});
    // At least this one: the sweep ends every overdue digest in the database, and a shared CI database may hold
    // others that an earlier run's stopped app left overdue.
    expect((await settledJob(queue(t), sweep.id!)).returnvalue.sent).toBeGreaterThanOrEqual(1);
    const [mail] = await waitForMails(mailbox, rita.email, /new messages/, 1);
    expect(mail.subject).toBe('3 new messages in Lost');
    expect(await gatheredRows(owner.organizationId)).toBe(0);
    // A second sweep finds nothing to end.
    const again = await queue(t).add(DIGEST_SWEEP_JOB, {});
    expect((await settledJob(queue(t), again.id!)).returnvalue).toEqual({ sent: 0 });
    expect(digestMails(rita.email)).toHaveLength(1);
  });
});

describe('digests with two app instances running workers', () => {
  let b: TestApp;
  beforeAll(async () => {
    b = await startTestApp({ SMTP_URL: mailbox.url, ...ENV });
  });
  afterAll(async () => {
    await b?.close();
  });

  it('sends one mail for messages sent through both, however many times and where the digest job runs', async () => {
    const { sam, rita, chat } = await chatWithAbsentReader('Shared');
    await sendLines([t, b], sam, chat, 'both', 20);
    const [digest] = await openedDigests(rita.userId, chat);
    await gathered(digest, 20);
    // The opened event delivered again (a relay that crashed before recording it): the digest still has one job.
    const [opened] = await dataSource(t).query<Array<{ organization_id: string; payload: unknown }>>(
      `SELECT organization_id, payload FROM outbox_events WHERE name = $1 AND payload -> 'digests' @> $2::jsonb`,
      [DIGEST_OPENED, JSON.stringify([{ id: digest }])],
    );
    await dataSource(b).transaction(async (em) => {
      b.app.get(Outbox).add(em, { name: DIGEST_OPENED, organizationId: opened.organization_id, payload: opened.payload });
    });
    await outboxDelivered(b);
    const jobsOf = async () =>
      (await queue(t).getDelayed()).filter((j) => j.name === DIGEST_JOB && (j.data as DigestJobData).data.digest_id === digest);
    expect(await jobsOf()).toHaveLength(1);
    // A retried or duplicated job beside the scheduled one, and a run on the other instance at the same time.
    const scheduled: Job = (await queue(b).getJob(digestJobId(digest)))!;
    await queue(b).add(DIGEST_JOB, scheduled.data, { jobId: `${digestJobId(digest)}-again` });
    const direct = b.app.get(DigestSender).send(scheduled.data);
    const again = (await settledJob(queue(t), `${digestJobId(digest)}-again`)).returnvalue as DigestOutcome;
    const outcomes = [again, await direct, await digestOutcome(digest)];

    expect(outcomes.filter((o) => o.outcome === 'sent')).toEqual([{ outcome: 'sent', events: 20 }]);
    expect(outcomes.filter((o) => o.outcome === 'closed')).toHaveLength(2);
    expect((await mailbox.waitFor(rita.email, /new messages/)).subject).toBe('20 new messages in Shared');
    expect(digestMails(rita.email)).toHaveLength(1);
  });
});

describe('mentions and missed calls', () => {
  /** Rita: her own organization, and a member of Sam's, with a socket acting for each. */
  async function twoOrganizations(chatName?: string) {
    const owner = await registerOrg(t.http);
    await setPackage(t, owner.organizationId, 'basic');
    const sam = await createMember(t, owner, 'member', { first_name: 'Sam', last_name: 'Sender' });
    const home = await registerOrg(t.http);
    const rita = await addMember(t, owner.organizationId, 'member', home);
    const chat = await insertChat(t, owner.organizationId, [sam.userId, rita.userId], chatName);
    const here = await connectSocket(t.url, { token: rita.accessToken });
    const elsewhere = await connectSocket(t.url, { token: home.accessToken });
    sockets.push(here, elsewhere);
    const heardElsewhere: unknown[] = [];
    elsewhere.on('notification:new', (n: unknown) => heardElsewhere.push(n));
    return { owner, sam, rita, chat, here, elsewhere, heardElsewhere };
  }

  /** Nothing reached her socket for the other organization: every event so far is delivered, then a later push arrives. */
  async function assertNothingElsewhere(x: Awaited<ReturnType<typeof twoOrganizations>>) {
    expect(await stillConnected(t, x.elsewhere, x.rita.userId)).toBe(true);
    expect(x.heardElsewhere).toEqual([]);
  }

  it('a mention pushes notification:new to the mentioned member in that organization and mails them', async () => {
    const x = await twoOrganizations('Deploys');
    const pushed = nextEvent<any>(x.here, 'notification:new');
    await send(t, x.sam.accessToken, x.chat, `@${x.rita.userId} can you   check\nthe deploy?`);
    expect(await pushed).toMatchObject({
      notification: {
        type: 'chat.mentioned',
        title: 'Sam Sender mentioned you in Deploys',
        body: `@${x.rita.userId} can you check the deploy?`,
        link: `/chats/${x.chat}`,
        read: false,
        email_status: 'queued',
      },
      unread_count: 1,
    });
    const mail = await mailbox.waitFor(x.rita.email, /mentioned you/);
    expect(mail.subject).toBe('Sam Sender mentioned you in Deploys');
    expect(mail.text).toContain('can you check the deploy?');
    expect(mail.text).toContain(`http://atrium.test/chats/${x.chat}`);
    await assertNothingElsewhere(x);
  });

  it('a call nobody answered pushes call.missed to the member in that organization and mails them', async () => {
    const x = await twoOrganizations();
    const pushed = nextEvent<any>(x.here, 'notification:new', 15_000);
    const call = await t.http.post(`/calls/chats/${x.chat}`, { call_type: 'audio' }, as(x.sam));
    expect(call.status, JSON.stringify(call.body)).toBe(201);
    expect(await pushed).toMatchObject({
      notification: { type: 'call.missed', title: 'Missed call from Sam Sender', link: `/chats/${x.chat}`, email_status: 'queued' },
      unread_count: 1,
    });
    const mail = await mailbox.waitFor(x.rita.email, /Missed call/);
    expect(mail.subject).toBe('Missed call from Sam Sender');
    expect(mail.text).toContain('Sam Sender called you and nobody answered.');
    await assertNothingElsewhere(x);
  });
});

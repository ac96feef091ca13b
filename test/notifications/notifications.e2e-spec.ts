import { randomBytes } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIdFor, MAIL_QUEUE, NotificationTypeRegistry } from '@atrium/platform';
import { NOTIFICATIONS_QUEUE, NotificationRetention, PRUNE_JOB, PRUNE_SCHEDULER } from '@atrium/notifications';
import { settledJob } from '../support/jobs.js';
import { Mailbox } from '../support/mailbox.js';
import { createMember, dataSource, type Member, registerOrg } from '../support/members.js';
import { publish, registerTestType } from '../support/notifications.js';
import { addMember } from '../support/security.js';
import { connectSocket, nextEvent } from '../support/socket.js';
import { startTestApp, testRedisUrl, type TestApp } from '../support/test-app.js';

/** The notifications mechanism with types of the test's own: storage, pushes, counts, mail, read state, isolation. */

let t: TestApp;
let mailbox: Mailbox;
const sockets: Socket[] = [];

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  t = await startTestApp({ SMTP_URL: mailbox.url });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
  await mailbox?.stop();
});

async function socketOf(who: { accessToken: string }, app = t) {
  const s = await connectSocket(app.url, { token: who.accessToken });
  sockets.push(s);
  return s;
}

const as = (m: { accessToken: string }) => ({ token: m.accessToken });

/** Collects every payload of `event` on a socket from now on. */
function collect<T>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (p: T) => seen.push(p));
  return seen;
}

/** The caller's counts as the badge reads them. */
async function counts(who: { accessToken: string }) {
  const res = await t.http.get('/notifications/unread-count', as(who));
  expect(res.status).toBe(200);
  return res.body.data as { unread_count: number; total: number };
}

/** The counts row agrees with the rows it counts. */
async function countsMatchRows(organizationId: string, userId: string) {
  const [row] = await dataSource(t).query(
    `SELECT (SELECT count(*)::int FROM notifications WHERE organization_id = $1 AND user_id = $2 AND in_app) AS total,
            (SELECT count(*)::int FROM notifications WHERE organization_id = $1 AND user_id = $2 AND in_app AND read_at IS NULL) AS unread,
            c.total AS kept_total, c.unread AS kept_unread
       FROM notification_counts c WHERE c.organization_id = $1 AND c.user_id = $2`,
    [organizationId, userId],
  );
  expect([row.kept_total, row.kept_unread]).toEqual([row.total, row.unread]);
  return row as { total: number; unread: number };
}

describe('producing notifications from committed events', () => {
  it('stores one per recipient, pushes notification:new to their sockets for that organization only, and mails it', async () => {
    const owner = await registerOrg(t.http);
    const ann = await createMember(t, owner, 'member');
    const bob = await createMember(t, owner, 'member');
    const elsewhere = await registerOrg(t.http);
    const annElsewhere = await addMember(t, elsewhere.organizationId, 'member', ann);
    const type = registerTestType(t);

    const annHere = await socketOf(ann);
    const annThere = collect(await socketOf(annElsewhere), 'notification:new');
    const bobSeen = collect(await socketOf(bob), 'notification:new');
    const pushed = nextEvent<any>(annHere, 'notification:new');
    const eventId = await publish(t, type, { organizationId: owner.organizationId, payload: { user_ids: [ann.userId], text: 'hello' } });

    const { notification, unread_count } = await pushed;
    expect(unread_count).toBe(1);
    expect(notification).toEqual({
      id: expect.any(String),
      type: type.key,
      title: 'Ping: hello',
      body: 'You were pinged: hello',
      link: '/pings',
      data: { text: 'hello' },
      read: false,
      read_at: null,
      email_status: 'queued',
      created_at: expect.any(String),
    });
    const mail = await mailbox.waitFor(ann.email, /Ping: hello/);
    expect(mail.text).toContain('You were pinged: hello');
    expect(mail.text).toContain('http://atrium.test/pings');

    // The mail arrives before its job records it sent: wait for the record, then the list shows it.
    await settledJob(t.app.get<Queue>(getQueueToken(MAIL_QUEUE)), jobIdFor(`notification:${eventId}:${type.key}:${ann.userId}`));
    const list = await t.http.get('/notifications', as(ann));
    expect(list.body).toMatchObject({ total: 1, page: 1, limit: 10, totalPages: 1 });
    expect(list.body.data).toEqual([{ ...notification, email_status: 'sent' }]);
    expect(await counts(ann)).toEqual({ unread_count: 1, total: 1 });
    // Nobody else, and not Ann acting for her other organization.
    expect(await counts(annElsewhere)).toEqual({ unread_count: 0, total: 0 });
    expect((await t.http.get('/notifications', as(bob))).body.total).toBe(0);
    const [{ n }] = await dataSource(t).query(`SELECT count(*)::int AS n FROM notifications WHERE source_id = $1`, [eventId]);
    expect(n).toBe(1);
    // A later push to Bob proves the relay has moved past Ann's event: only then is the absence meaningful.
    const bobPushed = nextEvent(await socketOf(bob), 'notification:new');
    await publish(t, type, { organizationId: owner.organizationId, payload: { user_ids: [bob.userId], text: 'later' } });
    await bobPushed;
    expect(annThere).toEqual([]);
    expect(bobSeen).toHaveLength(1);
  });

  it('notifies the members whose role holds a permission, and an account-wide notice in each organization with one mail', async () => {
    const owner = await registerOrg(t.http);
    const member = await createMember(t, owner, 'member');
    const admins = registerTestType(t, { recipients: { permission: 'billing.manage' } });
    const ownerSocket = await socketOf(owner);
    const pushed = nextEvent<any>(ownerSocket, 'notification:new');
    await publish(t, admins, { organizationId: owner.organizationId, payload: { user_ids: [], text: 'invoice' } });
    expect((await pushed).notification.title).toBe('Ping: invoice');
    expect((await counts(member)).total).toBe(0);

    const other = await registerOrg(t.http);
    const ownerThere = await addMember(t, other.organizationId, 'member', owner);
    const accountWide = registerTestType(t, { accountWide: true });
    const here = nextEvent<any>(ownerSocket, 'notification:new');
    const there = nextEvent<any>(await socketOf(ownerThere), 'notification:new');
    await publish(t, accountWide, { payload: { user_ids: [owner.userId], text: 'password changed' } });
    const [a, b] = await Promise.all([here, there]);
    expect(a.notification.id).not.toBe(b.notification.id);
    await mailbox.waitFor(owner.email, /Ping: password changed/);
    const [{ mails }] = await dataSource(t).query(
      `SELECT count(DISTINCT email_key)::int AS mails FROM notifications WHERE type = $1 AND user_id = $2`,
      [accountWide.key, owner.userId],
    );
    expect(mails).toBe(1);
    expect(mailbox.messages.filter((m) => m.to.includes(owner.email) && /password changed/.test(m.subject))).toHaveLength(1);
  });

  it('keeps an email-only notification out of the list and the counts, with its mail status', async () => {
    const owner = await registerOrg(t.http);
    const emailOnly = registerTestType(t, { defaults: { in_app: false, email: true } });
    const inApp = registerTestType(t);
    const socket = await socketOf(owner);
    const seen = collect<any>(socket, 'notification:new');
    await publish(t, emailOnly, { organizationId: owner.organizationId, payload: { user_ids: [owner.userId], text: 'mail only' } });
    const next = nextEvent<any>(socket, 'notification:new');
    await publish(t, inApp, { organizationId: owner.organizationId, payload: { user_ids: [owner.userId], text: 'in app' } });
    await next;
    await mailbox.waitFor(owner.email, /mail only/);
    expect(seen.map((p) => p.notification.title)).toEqual(['Ping: in app']);
    expect(await counts(owner)).toEqual({ unread_count: 1, total: 1 });
    const [row] = await dataSource(t).query(`SELECT in_app, email_key FROM notifications WHERE type = $1`, [emailOnly.key]);
    expect(row).toEqual({ in_app: false, email_key: expect.stringMatching(/^notification:/) });
  });
});

describe('reading, deleting and the badge', () => {
  async function withNotifications(n: number) {
    const owner = await registerOrg(t.http);
    const type = registerTestType(t, { defaults: { in_app: true, email: false } });
    const socket = await socketOf(owner);
    const all = new Promise<void>((resolve) => {
      let seen = 0;
      socket.on('notification:new', () => ++seen === n && resolve());
    });
    for (let i = 0; i < n; i++)
      await publish(t, type, { organizationId: owner.organizationId, payload: { user_ids: [owner.userId], text: `#${i}` } });
    await all;
    return { owner, type, socket };
  }

  it('pages newest first, filters unread, and keeps totals', async () => {
    const { owner } = await withNotifications(5);
    const page1 = (await t.http.get('/notifications?page=1&limit=2', as(owner))).body;
    expect(page1).toMatchObject({ total: 5, page: 1, limit: 2, totalPages: 3 });
    expect(page1.data.map((n: any) => n.title)).toEqual(['Ping: #4', 'Ping: #3']);
    const page3 = (await t.http.get('/notifications?page=3&limit=2', as(owner))).body;
    expect(page3.data.map((n: any) => n.title)).toEqual(['Ping: #0']);
    expect((await t.http.get('/notifications?page=4&limit=2', as(owner))).body).toMatchObject({ data: [], total: 5 });

    await t.http.put(`/notifications/${page1.data[0].id}/read`, {}, as(owner));
    const unread = (await t.http.get('/notifications?unread_only=true&limit=10', as(owner))).body;
    expect(unread.total).toBe(4);
    expect(unread.data.map((n: any) => n.title)).toEqual(['Ping: #3', 'Ping: #2', 'Ping: #1', 'Ping: #0']);

    const bad = await t.http.get('/notifications?unread_only=maybe&limit=0', as(owner));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/unread_only/);
    expect(JSON.stringify(bad.body)).toMatch(/limit/);
    const worse = await t.http.get('/notifications?page=0&limit=101&unread_only=1', as(owner));
    expect(worse.status).toBe(400);
    expect(worse.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['limit', 'page', 'unread_only']);
  });

  it('marks one read (once), tells the other tabs with the new count, and deletes', async () => {
    const { owner, socket } = await withNotifications(3);
    const otherTab = await socketOf(owner);
    const [newest, middle] = (await t.http.get('/notifications', as(owner))).body.data;

    const told = nextEvent<any>(otherTab, 'notification:read');
    const read = await t.http.put(`/notifications/${newest.id}/read`, {}, as(owner));
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({ id: newest.id, read: true, read_at: expect.any(String) });
    expect(await told).toEqual({ ids: [newest.id], read_at: read.body.data.read_at, unread_count: 2 });
    expect(await counts(owner)).toEqual({ unread_count: 2, total: 3 });
    // Again: same answer, nothing counted twice.
    const again = await t.http.put(`/notifications/${newest.id}/read`, {}, as(owner));
    expect(again.body.data.read_at).toBe(read.body.data.read_at);
    expect(await counts(owner)).toEqual({ unread_count: 2, total: 3 });

    const deleted = nextEvent<any>(socket, 'notification:deleted');
    expect((await t.http.delete(`/notifications/${middle.id}`, undefined, as(owner))).status).toBe(204);
    expect(await deleted).toEqual({ id: middle.id, unread_count: 1 });
    expect(await counts(owner)).toEqual({ unread_count: 1, total: 2 });
    expect((await t.http.get(`/notifications/${middle.id}`, as(owner))).status).toBe(404);
    // Deleting a read one leaves the unread count alone.
    expect((await t.http.delete(`/notifications/${newest.id}`, undefined, as(owner))).status).toBe(204);
    expect(await counts(owner)).toEqual({ unread_count: 1, total: 1 });
    await countsMatchRows(owner.organizationId, owner.userId);
  });

  it('read-all marks every unread one, and counts stay right when it races new notifications, reads and deletes', async () => {
    const { owner, type, socket } = await withNotifications(30);
    const ids = (await t.http.get('/notifications?limit=30', as(owner))).body.data.map((n: any) => n.id);
    const told = nextEvent<any>(socket, 'notification:read');
    const answers = await Promise.all([
      t.http.put('/notifications/read-all', {}, as(owner)),
      t.http.put('/notifications/read-all', {}, as(owner)),
      ...ids.slice(0, 5).map((id: string) => t.http.put(`/notifications/${id}/read`, {}, as(owner))),
      ...ids.slice(5, 10).map((id: string) => t.http.delete(`/notifications/${id}`, undefined, as(owner))),
      ...Array.from({ length: 10 }, (_, i) =>
        publish(t, type, { organizationId: owner.organizationId, payload: { user_ids: [owner.userId], text: `late ${i}` } }),
      ),
    ]);
    expect(answers.flatMap((a) => (typeof a === 'string' ? [] : [a.status]))).toEqual([
      200,
      200,
      ...Array(5).fill(200),
      ...Array(5).fill(204),
    ]);
    expect(await told).toMatchObject({ unread_count: expect.any(Number) });
    // Wait until the ten late ones are stored, then the counts row must equal the rows.
    for (let deadline = Date.now() + 10_000; ;) {
      const { total } = await counts(owner);
      if (total === 35) break;
      if (Date.now() > deadline) throw new Error(`total stuck at ${total}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const rows = await countsMatchRows(owner.organizationId, owner.userId);
    expect(rows.total).toBe(35);
    const marked = await t.http.put('/notifications/read-all', {}, as(owner));
    expect(marked.body.data).toEqual({ marked: rows.unread });
    expect(await counts(owner)).toEqual({ unread_count: 0, total: 35 });
  });
});

describe('isolation', () => {
  it("another user's or organization's notification answers 404 on every route and stays as it was", async () => {
    const owner = await registerOrg(t.http);
    const colleague = await createMember(t, owner, 'admin');
    const stranger = await registerOrg(t.http);
    const type = registerTestType(t, { defaults: { in_app: true, email: false } });
    const pushed = nextEvent<any>(await socketOf(owner), 'notification:new');
    await publish(t, type, { organizationId: owner.organizationId, payload: { user_ids: [owner.userId], text: 'mine' } });
    const { id } = (await pushed).notification;

    for (const who of [colleague, stranger]) {
      for (const res of [
        await t.http.get(`/notifications/${id}`, as(who)),
        await t.http.put(`/notifications/${id}/read`, {}, as(who)),
        await t.http.delete(`/notifications/${id}`, undefined, as(who)),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('notification_not_found');
      }
    }
    for (const bad of ['not-a-uuid', '00000000-0000-0000-0000-000000000000']) {
      expect((await t.http.get(`/notifications/${bad}`, as(owner))).status).toBe(404);
      for (const res of [
        await t.http.put(`/notifications/${bad}/read`, {}, as(owner)),
        await t.http.delete(`/notifications/${bad}`, undefined, as(owner)),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('notification_not_found');
      }
    }
    expect((await t.http.get(`/notifications/${id}`, as(owner))).body.data).toMatchObject({ id, read: false });
    expect(await counts(owner)).toEqual({ unread_count: 1, total: 1 });
    expect((await t.http.get('/notifications')).status).toBe(401);
  });
});

describe('retention and export', () => {
  const notificationsQueue = (app: TestApp) => app.app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
  const titles = async (who: Member) => (await t.http.get('/notifications', as(who))).body.data.map((n: any) => n.title).sort();

  /** An owner with one in-app notification per text, each stored and pushed. */
  async function notified(texts: string[]) {
    const owner = await registerOrg(t.http);
    const type = registerTestType(t, { defaults: { in_app: true, email: false } });
    const socket = await socketOf(owner);
    for (const text of texts) {
      const pushed = nextEvent(socket, 'notification:new');
      await publish(t, type, { organizationId: owner.organizationId, payload: { user_ids: [owner.userId], text } });
      await pushed;
    }
    return owner;
  }

  /** The daily job as its scheduler starts it, run by the app's workers; answers how many it deleted. */
  async function pruneJob(app: TestApp): Promise<number> {
    const job = await notificationsQueue(app).add(PRUNE_JOB, {});
    const settled = await settledJob(notificationsQueue(app), job.id!);
    expect(settled.failedReason).toBeUndefined();
    return (settled.returnvalue as { deleted: number }).deleted;
  }

  it('prunes read notifications past the retention period, keeps unread and recent ones, and exports the rest', async () => {
    // Every worker process keeps the daily job scheduled (one scheduler however many upsert it).
    expect(await notificationsQueue(t).getJobScheduler(PRUNE_SCHEDULER)).toMatchObject({ every: 24 * 3600 * 1000, name: PRUNE_JOB });
    const owner = await notified(['old read', 'old unread', 'recent read']);
    const days = (n: number) => `now() - interval '${n} days'`;
    await dataSource(t).query(
      `UPDATE notifications SET read_at = ${days(91)}, created_at = ${days(100)} WHERE title = 'Ping: old read' AND user_id = $1`,
      [owner.userId],
    );
    await dataSource(t).query(`UPDATE notifications SET created_at = ${days(100)} WHERE title = 'Ping: old unread' AND user_id = $1`, [
      owner.userId,
    ]);
    await dataSource(t).query(`UPDATE notifications SET read_at = ${days(89)} WHERE title = 'Ping: recent read' AND user_id = $1`, [
      owner.userId,
    ]);
    await dataSource(t).query(`UPDATE notification_counts SET unread = unread - 2 WHERE organization_id = $1 AND user_id = $2`, [
      owner.organizationId,
      owner.userId,
    ]);

    expect(await pruneJob(t)).toBeGreaterThanOrEqual(1);
    expect(await titles(owner)).toEqual(['Ping: old unread', 'Ping: recent read']);
    await countsMatchRows(owner.organizationId, owner.userId);

    const exported = await fetch(`${t.url}/api/v1/users/me/download-data`, { headers: { authorization: `Bearer ${owner.accessToken}` } });
    const doc = (await exported.json()) as { notifications: Array<{ kind: string; title?: string }> };
    expect(
      doc.notifications
        .filter((n) => n.kind === 'notification')
        .map((n) => n.title)
        .sort(),
    ).toEqual(['Ping: old unread', 'Ping: recent read']);
  });

  it('NOTIFICATION_RETENTION_DAYS sets the period, and a process without workers schedules no pruning', async () => {
    const owner = await notified(['read 31 days ago', 'read 29 days ago']);
    for (const age of [31, 29]) {
      await dataSource(t).query(`UPDATE notifications SET read_at = now() - make_interval(days => $2) WHERE title = $3 AND user_id = $1`, [
        owner.userId,
        age,
        `Ping: read ${age} days ago`,
      ]);
    }
    await dataSource(t).query(`UPDATE notification_counts SET unread = 0 WHERE organization_id = $1 AND user_id = $2`, [
      owner.organizationId,
      owner.userId,
    ]);
    // The default 90 days keeps both.
    await pruneJob(t);
    expect(await titles(owner)).toEqual(['Ping: read 29 days ago', 'Ping: read 31 days ago']);

    // A queue namespace of its own, so only this process could have scheduled anything there.
    const api = await startTestApp({
      NOTIFICATION_RETENTION_DAYS: '30',
      RUN_WORKERS: 'false',
      QUEUE_PREFIX: `t${randomBytes(6).toString('hex')}`,
    });
    try {
      expect(await notificationsQueue(api).getJobScheduler(PRUNE_SCHEDULER)).toBeUndefined();
      expect(await api.app.get(NotificationRetention).prune()).toBeGreaterThanOrEqual(1);
    } finally {
      await api.close();
    }
    expect(await titles(owner)).toEqual(['Ping: read 29 days ago']);
    expect(await countsMatchRows(owner.organizationId, owner.userId)).toMatchObject({ total: 1, unread: 0 });
  });
});

describe(`across instances (fan-out over ${testRedisUrl ? 'Redis' : 'PostgreSQL'})`, () => {
  it('a notification produced through A reaches the recipient’s socket on B', async () => {
    const b = await startTestApp({ SMTP_URL: mailbox.url });
    try {
      const owner = await registerOrg(t.http);
      const type = registerTestType(t, { defaults: { in_app: true, email: false } });
      // B must know the type too: every process registers the same types (features do it at boot).
      b.app.get(NotificationTypeRegistry).register(type);
      const onB = await socketOf(owner, b);
      const pushed = nextEvent<any>(onB, 'notification:new', 10_000);
      await publish(t, type, { organizationId: owner.organizationId, payload: { user_ids: [owner.userId], text: 'from A' } });
      expect((await pushed).notification.title).toBe('Ping: from A');
    } finally {
      await b.close();
    }
  });
});

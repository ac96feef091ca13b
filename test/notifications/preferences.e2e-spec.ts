import { randomBytes } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineNotificationType, jobIdFor, MAIL_QUEUE, NotificationTypeRegistry, Outbox, type OutboxEvent } from '@atrium/platform';
import { UnsubscribeLinks } from '../../libs/notifications/src/preferences/unsubscribe-links.js';
import { UnsubscribeTokens } from '../../libs/notifications/src/preferences/unsubscribe-token.js';
import { controlClock } from '../support/clock.js';
import type { RegisteredOrg } from '../support/factories.js';
import { Mailbox, type ReceivedMail } from '../support/mailbox.js';
import { settledJob } from '../support/jobs.js';
import { createMember, dataSource, type Member, registerOrg } from '../support/members.js';
import { notificationPushes } from '../support/notifications.js';
import { connectSocket, stillConnected } from '../support/socket.js';
import { startTestApp, testRedisUrl, type TestApp } from '../support/test-app.js';

/** Type keys are `<area>.<what>` in letters: a suffix of letters keeps this file's types apart from every other's. */
const tag = [...randomBytes(8)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
const PLAIN = `test.plain_${tag}`;
const OTHER = `test.other_${tag}`;
const QUIET = `test.in_app_only_${tag}`;
const ALERT = `test.alert_${tag}`;

let mailbox: Mailbox;
let t: TestApp;
const sockets: Socket[] = [];

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  t = await startTestApp({ SMTP_URL: mailbox.url });
  const type = (key: string, description: string, extra: { required?: boolean; email?: boolean } = {}) =>
    defineNotificationType<{ user_ids: string[]; title: string }>({
      key,
      event: key,
      description,
      defaults: { in_app: true, email: extra.email ?? true },
      required: extra.required,
      recipients: (e: OutboxEvent<{ user_ids: string[] }>) => e.payload.user_ids,
      render: (e) => ({ title: e.payload.title, body: `About ${e.payload.title}` }),
    });
  t.app
    .get(NotificationTypeRegistry)
    .register(
      type(PLAIN, 'Plain test news'),
      type(OTHER, 'Other test news'),
      type(QUIET, 'In-app test news', { email: false }),
      type(ALERT, 'Test security alert', { required: true }),
    );
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
  await mailbox?.stop();
});

let seq = 0;
/** Commits the event a type is produced by, for these users; answers the notification's title (unique). */
async function produce(organizationId: string, key: string, userIds: string[]): Promise<string> {
  const title = `${key} #${++seq}`;
  await dataSource(t).transaction(async (em) => {
    t.app.get(Outbox).add(em, { name: key, organizationId, payload: { user_ids: userIds, title } });
  });
  return title;
}

/** A socket for the user's organization and every `notification:new` it receives. */
async function listen(token: string) {
  const socket = await connectSocket(t.url, { token });
  sockets.push(socket);
  return { socket, pushes: notificationPushes(socket) };
}

const pushed = (pushes: ReturnType<typeof notificationPushes>, title: string) => pushes.next((n) => n.title === title, `"${title}"`);

const mailed = (to: string, title: string) => mailbox.messages.some((m) => m.to.includes(to.toLowerCase()) && m.subject === title);
const exactly = (title: string) => new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/** The stored notification's mail key (null: not mailed). */
async function emailKey(userId: string, title: string): Promise<string | null> {
  const [row] = await dataSource(t).query(`SELECT email_key FROM notifications WHERE user_id = $1 AND title = $2`, [userId, title]);
  if (!row) throw new Error(`no notification "${title}" stored`);
  return row.email_key as string | null;
}

const put = (token: string, body: unknown, organizationId?: string) =>
  t.http.put('/notifications/preferences', body, { token, organizationId });
const get = (token: string, organizationId?: string) => t.http.get('/notifications/preferences', { token, organizationId });
const stored = (userId: string) => dataSource(t).query(`SELECT * FROM notification_preferences WHERE user_id = $1`, [userId]);
const audited = (resourceId: string, action: string) =>
  dataSource(t).query(
    `SELECT actor_user_id, organization_id, before, after, metadata FROM audit_logs WHERE resource_id = $1 AND action = $2 ORDER BY created_at`,
    [resourceId, action],
  );

describe(`notification preferences (queue on ${testRedisUrl ? 'Redis' : 'PostgreSQL'})`, () => {
  it("answers each type's defaults to a member who never chose, and delivers on them", async () => {
    const owner = await registerOrg(t.http);
    const res = await get(owner.accessToken);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ email_enabled: true, in_app_enabled: true, quiet_hours: null, source: 'defaults' });
    expect(res.body.data.preferences).toMatchObject({
      [PLAIN]: { email: true, in_app: true },
      [QUIET]: { email: false, in_app: true },
      [ALERT]: { email: true, in_app: true },
    });
    expect(res.body.data.types).toContainEqual({
      key: ALERT,
      description: 'Test security alert',
      required: true,
      defaults: { email: true, in_app: true },
    });
    expect(res.body.data.types).toContainEqual({
      key: QUIET,
      description: 'In-app test news',
      required: false,
      defaults: { email: false, in_app: true },
    });

    const { pushes } = await listen(owner.accessToken);
    const plain = await produce(owner.organizationId, PLAIN, [owner.userId]);
    expect((await pushed(pushes, plain)).notification.email_status).toBe('queued');
    await mailbox.waitFor(owner.email, exactly(plain));
    const quiet = await produce(owner.organizationId, QUIET, [owner.userId]);
    expect((await pushed(pushes, quiet)).notification.email_status).toBeNull();
    expect(await emailKey(owner.userId, quiet)).toBeNull();
  });

  it('turns each channel of a type off on its own, and records the change in the audit trail', async () => {
    const owner = await registerOrg(t.http);
    const { socket, pushes } = await listen(owner.accessToken);
    const body = { email_enabled: true, in_app_enabled: true, preferences: { [PLAIN]: { in_app: false }, [OTHER]: { email: false } } };
    const res = await put(owner.accessToken, body);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ source: 'user', quiet_hours: null });
    expect(res.body.data.preferences[PLAIN]).toEqual({ email: true, in_app: false });
    expect(res.body.data.preferences[OTHER]).toEqual({ email: false, in_app: true });
    expect((await get(owner.accessToken)).body.data).toEqual(res.body.data);

    const other = await produce(owner.organizationId, OTHER, [owner.userId]);
    const plain = await produce(owner.organizationId, PLAIN, [owner.userId]);
    // In-app only: pushed, and no mail was ever queued for it.
    expect((await pushed(pushes, other)).notification.email_status).toBeNull();
    expect(await emailKey(owner.userId, other)).toBeNull();
    // Email only: mailed, and neither pushed nor listed.
    await mailbox.waitFor(owner.email, exactly(plain));
    expect(await stillConnected(t, socket, owner.userId)).toBe(true);
    expect(pushes.all.map((p) => p.notification.title)).not.toContain(plain);
    const list = await t.http.get('/notifications', { token: owner.accessToken });
    expect(list.body.data.map((n: { title: string }) => n.title)).toEqual([other]);
    expect(mailed(owner.email, other)).toBe(false);

    const [entry] = await audited(owner.userId, 'notification_preferences.updated');
    expect(entry).toMatchObject({ actor_user_id: owner.userId, organization_id: owner.organizationId, before: null });
    expect(entry.after).toEqual({
      email_enabled: true,
      in_app_enabled: true,
      types: [
        { type: OTHER, email: false },
        { type: PLAIN, in_app: false },
      ],
      quiet_hours: null,
    });
  });

  it('obeys the master switches for every type but security ones, which are mailed and pushed even with both off', async () => {
    const owner = await registerOrg(t.http);
    const { socket, pushes } = await listen(owner.accessToken);
    expect(
      (await put(owner.accessToken, { email_enabled: false, in_app_enabled: true, preferences: { [PLAIN]: { email: true } } })).status,
    ).toBe(200);
    const noMail = await produce(owner.organizationId, PLAIN, [owner.userId]);
    expect((await pushed(pushes, noMail)).notification.email_status).toBeNull();
    expect(await emailKey(owner.userId, noMail)).toBeNull();

    expect((await put(owner.accessToken, { email_enabled: true, in_app_enabled: false })).status).toBe(200);
    const noPush = await produce(owner.organizationId, PLAIN, [owner.userId]);
    await mailbox.waitFor(owner.email, exactly(noPush));
    expect(await stillConnected(t, socket, owner.userId)).toBe(true);
    expect(pushes.all.map((p) => p.notification.title)).not.toContain(noPush);

    expect((await put(owner.accessToken, { email_enabled: false, in_app_enabled: false })).status).toBe(200);
    const alert = await produce(owner.organizationId, ALERT, [owner.userId]);
    expect((await pushed(pushes, alert)).notification.email_status).toBe('queued');
    const mail = await mailbox.waitFor(owner.email, exactly(alert));
    // A security notice offers no way out.
    expect(mail.headers['list-unsubscribe']).toBeUndefined();
    expect(mail.headers['list-unsubscribe-post']).toBeUndefined();
    expect(mail.text).not.toContain('unsubscribe');
    expect(mail.text).toContain('cannot be turned off');
  });

  it('refuses to turn a security type off (400 notification_required) and stores nothing', async () => {
    const owner = await registerOrg(t.http);
    const res = await put(owner.accessToken, {
      email_enabled: true,
      in_app_enabled: true,
      preferences: { [ALERT]: { email: false, in_app: false }, [PLAIN]: { email: false } },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('notification_required');
    expect(res.body.details).toEqual([
      { field: `preferences.${ALERT}.email`, problems: [`${ALERT} is a security notification and cannot be turned off`] },
      { field: `preferences.${ALERT}.in_app`, problems: [`${ALERT} is a security notification and cannot be turned off`] },
    ]);
    expect(await stored(owner.userId)).toEqual([]);
    expect((await get(owner.accessToken)).body.data).toMatchObject({ source: 'defaults', preferences: { [PLAIN]: { email: true } } });
    expect(await audited(owner.userId, 'notification_preferences.updated')).toEqual([]);
  });

  it('names every problem of a bad body in one 400 and changes nothing', async () => {
    const owner = await registerOrg(t.http);
    const before = { email_enabled: true, in_app_enabled: true, preferences: { [PLAIN]: { email: false } } };
    expect((await put(owner.accessToken, before)).status).toBe(200);

    const bad = await put(owner.accessToken, {
      email_enabled: 'no',
      in_app_enabled: 1,
      preferences: { [PLAIN]: { sms: true, email: 'off' }, 'test.nothing_here': { email: false }, [ALERT]: { in_app: false } },
      quiet_hours: { start: '25:00', end: '7:30', timezone: 'Atlantis/Capital' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(
      [
        'email_enabled',
        'in_app_enabled',
        `preferences.${PLAIN}.sms`,
        `preferences.${PLAIN}.email`,
        'preferences.test.nothing_here',
        `preferences.${ALERT}.in_app`,
        'quiet_hours.start',
        'quiet_hours.end',
        'quiet_hours.timezone',
      ].sort(),
    );

    const unknown = await put(owner.accessToken, {
      email_enabled: true,
      in_app_enabled: true,
      preferences: { 'test.nothing_here': {}, 'nope.gone': {} },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('unknown_notification_types');
    expect(unknown.body.details.map((d: { field: string }) => d.field)).toEqual(['preferences.test.nothing_here', 'preferences.nope.gone']);

    const sameTimes = await put(owner.accessToken, { ...before, quiet_hours: { start: '08:00', end: '08:00', timezone: 'UTC' } });
    expect(sameTimes.status).toBe(400);
    expect(sameTimes.body.details).toEqual([
      { field: 'quiet_hours.end', problems: ['quiet_hours.end must differ from quiet_hours.start'] },
    ]);

    // The body's shape: not an object, empty, and each part of the wrong shape or not a setting at all.
    const fieldsOf = async (body: unknown) => {
      const res = await put(owner.accessToken, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      return res.body.details.map((d: { field: string }) => d.field).sort();
    };
    expect(await fieldsOf([before])).toEqual(['body']);
    expect(await fieldsOf({})).toEqual(['email_enabled', 'in_app_enabled']);
    expect(await fieldsOf({ ...before, preferences: [PLAIN], quiet_hours: '22:00-06:00' })).toEqual(['preferences', 'quiet_hours']);
    expect(
      await fieldsOf({
        ...before,
        theme: 'dark',
        preferences: { [PLAIN]: true },
        quiet_hours: { start: '22:00', end: '06:00', timezone: 'UTC', days: 'weekdays' },
      }),
    ).toEqual([`preferences.${PLAIN}`, 'quiet_hours.days', 'theme']);

    const now = await get(owner.accessToken);
    expect(now.body.data.preferences[PLAIN]).toEqual({ email: false, in_app: true });
    expect(await audited(owner.userId, 'notification_preferences.updated')).toHaveLength(1);
  });

  it('keeps settings per organization: a choice in one does not change another', async () => {
    const owner = await registerOrg(t.http);
    const second = await t.http.post('/organizations', { name: `Second ${tag}` }, { token: owner.accessToken });
    expect(second.status).toBe(201);
    expect(
      (
        await put(owner.accessToken, {
          email_enabled: false,
          in_app_enabled: true,
          quiet_hours: { start: '22:00', end: '06:00', timezone: 'UTC' },
        })
      ).status,
    ).toBe(200);
    const there = await get(owner.accessToken, second.body.data.id);
    expect(there.status).toBe(200);
    expect(there.body.data).toMatchObject({ source: 'defaults', email_enabled: true, quiet_hours: null });
    expect((await get(owner.accessToken)).body.data).toMatchObject({
      source: 'user',
      email_enabled: false,
      quiet_hours: { start: '22:00', end: '06:00', timezone: 'UTC' },
    });
  });
});

describe('organization defaults', () => {
  let owner: RegisteredOrg;
  let plainMember: Member;
  let choosyMember: Member;
  beforeAll(async () => {
    owner = await registerOrg(t.http);
    plainMember = await createMember(t, owner, 'member');
    choosyMember = await createMember(t, owner, 'member');
  });
  const defaults = { email_enabled: true, in_app_enabled: true, preferences: { [PLAIN]: { email: false }, [QUIET]: { email: true } } };

  it('apply to members without their own settings, and not to those with', async () => {
    expect(
      (await put(choosyMember.accessToken, { email_enabled: true, in_app_enabled: true, preferences: { [PLAIN]: { email: true } } }))
        .status,
    ).toBe(200);
    const set = await t.http.put('/notifications/organization-defaults', defaults, { token: owner.accessToken });
    expect(set.status).toBe(200);
    expect(set.body.data).toMatchObject({ source: 'organization', preferences: { [PLAIN]: { email: false, in_app: true } } });
    expect((await t.http.get('/notifications/organization-defaults', { token: plainMember.accessToken })).body.data).toEqual(set.body.data);

    const plainView = (await get(plainMember.accessToken)).body.data;
    expect(plainView).toMatchObject({
      source: 'organization',
      preferences: { [PLAIN]: { email: false, in_app: true }, [QUIET]: { email: true } },
    });
    expect((await get(choosyMember.accessToken)).body.data).toMatchObject({ source: 'user', preferences: { [PLAIN]: { email: true } } });

    const { pushes } = await listen(plainMember.accessToken);
    const title = await produce(owner.organizationId, PLAIN, [plainMember.userId, choosyMember.userId]);
    await mailbox.waitFor(choosyMember.email, exactly(title));
    expect((await pushed(pushes, title)).notification.email_status).toBeNull();
    expect(await emailKey(plainMember.userId, title)).toBeNull();
    expect(mailed(plainMember.email, title)).toBe(false);

    const [entry] = await audited(owner.organizationId, 'notification_defaults.updated');
    expect(entry).toMatchObject({ actor_user_id: owner.userId, before: null });
    expect(entry.after.types).toEqual(
      [
        { type: PLAIN, email: false },
        { type: QUIET, email: true },
      ].sort((a, b) => a.type.localeCompare(b.type)),
    );
  });

  it('are changed only by those who may edit the organization, with a valid body, and never through the settings route', async () => {
    const forbidden = await t.http.put(
      '/notifications/organization-defaults',
      { email_enabled: false, in_app_enabled: false },
      { token: plainMember.accessToken },
    );
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('missing_permission');
    const bad = await t.http.put(
      '/notifications/organization-defaults',
      {
        email_enabled: 'sometimes',
        in_app_enabled: true,
        preferences: { [ALERT]: { email: false }, 'test.nothing_here': {} },
        quiet_hours: null,
      },
      { token: owner.accessToken },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(
      ['email_enabled', `preferences.${ALERT}.email`, 'preferences.test.nothing_here', 'quiet_hours'].sort(),
    );
    const smuggled = await t.http.put(
      '/organizations/me/settings',
      { settings: { notification_defaults: { email_enabled: 'x' } } },
      { token: owner.accessToken },
    );
    expect(smuggled.status).toBe(400);
    expect(smuggled.body.details.map((d: { field: string }) => d.field)).toEqual(['settings.notification_defaults']);
    // Changing another setting keeps the defaults.
    expect(
      (await t.http.put('/organizations/me/settings', { settings: { timezone: 'Europe/Berlin' } }, { token: owner.accessToken })).status,
    ).toBe(200);
    const now = await t.http.get('/notifications/organization-defaults', { token: owner.accessToken });
    expect(now.body.data).toMatchObject({ source: 'organization', email_enabled: true, preferences: { [PLAIN]: { email: false } } });
    expect(await audited(owner.organizationId, 'notification_defaults.updated')).toHaveLength(1);
  });

  it('are read only with organization.view, while every member reads and sets their own settings', async () => {
    const role = await t.http.post('/roles', { name: `Chatter ${tag}`, permissions: ['chats.use'] }, { token: owner.accessToken });
    expect(role.status).toBe(201);
    const chatter = await createMember(t, owner, role.body.data.slug);
    const read = await t.http.get('/notifications/organization-defaults', { token: chatter.accessToken });
    expect(read.status).toBe(403);
    expect(read.body.code).toBe('missing_permission');
    const own = await put(chatter.accessToken, { email_enabled: true, in_app_enabled: true, preferences: { [OTHER]: { email: false } } });
    expect(own.status).toBe(200);
    expect((await get(chatter.accessToken)).body.data).toMatchObject({ source: 'user', preferences: { [OTHER]: { email: false } } });
  });
});

describe('quiet hours', () => {
  it('hold mail until they end while in-app is pushed at once; security mail is never held', async () => {
    const owner = await registerOrg(t.http);
    const { pushes } = await listen(owner.accessToken);
    // The app's clock 2 s before a whole minute that ends the window: the window's end is 2 s away.
    const end = Math.ceil((Date.now() + 2_000) / 60_000) * 60_000;
    const hhmm = (ms: number) =>
      new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
    const quiet = { start: hhmm(end - 90 * 60_000), end: hhmm(end), timezone: 'America/New_York' };
    expect((await put(owner.accessToken, { email_enabled: true, in_app_enabled: true, quiet_hours: quiet })).body.data.quiet_hours).toEqual(
      quiet,
    );
    const clock = controlClock(t, new Date(end - 2_000));
    try {
      const producedAt = Date.now();
      const held = await produce(owner.organizationId, PLAIN, [owner.userId]);
      const push = await pushed(pushes, held);
      expect(push.notification.email_status).toBe('held');
      expect((await t.http.get(`/notifications/${push.notification.id}`, { token: owner.accessToken })).body.data.email_status).toBe(
        'held',
      );
      const alert = await produce(owner.organizationId, ALERT, [owner.userId]);
      expect((await pushed(pushes, alert)).notification.email_status).toBe('queued');
      await mailbox.waitFor(owner.email, exactly(alert));

      const mail = await mailbox.waitFor(owner.email, exactly(held));
      expect(mail.receivedAt.getTime() - producedAt).toBeGreaterThanOrEqual(2_000);
      const key = (await emailKey(owner.userId, held))!;
      // Sent once its job has finished (the SMTP server has the mail a moment before the delivery is marked sent).
      await settledJob(t.app.get<Queue>(getQueueToken(MAIL_QUEUE)), jobIdFor(key));
      const [row] = await dataSource(t).query(`SELECT send_after FROM mail_deliveries WHERE idempotency_key = $1`, [key]);
      expect(row.send_after.getTime()).toBe(end);
      expect((await t.http.get(`/notifications/${push.notification.id}`, { token: owner.accessToken })).body.data.email_status).toBe(
        'sent',
      );
    } finally {
      clock.release();
    }
  });
});

describe('one-click unsubscribe', () => {
  /** The link a mail carries, pointed at the test app (mail links use PUBLIC_URL). */
  function unsubscribeLink(mail: ReceivedMail): string {
    const header = mail.headers['list-unsubscribe'];
    const m = /^<http:\/\/atrium\.test(\/api\/v1\/notifications\/unsubscribe\?token=[A-Za-z0-9._-]+)>$/.exec(header ?? '');
    if (!m) throw new Error(`no unsubscribe link in "${mail.subject}": ${header}`);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(mail.text).toContain(`http://atrium.test${m[1]}`);
    return `${t.url}${m[1]}`;
  }
  const oneClick = (link: string, body = 'List-Unsubscribe=One-Click') =>
    fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

  /** A link refused everywhere: a mail client's POST (JSON), the page's button (HTML) and the page itself. */
  async function expectRefused(link: string): Promise<void> {
    const res = await oneClick(link);
    expect(res.status, link).toBe(400);
    expect((await res.json()).code).toBe('invalid_unsubscribe_link');
    const button = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(button.status, link).toBe(400);
    expect(button.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await button.text()).toContain('This unsubscribe link is not valid');
    const page = await fetch(link);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('This unsubscribe link is not valid');
  }

  it("turns the type's email off with no session, once; the type's mail stops while in-app goes on", async () => {
    const owner = await registerOrg(t.http);
    // Organization defaults are where a member without settings starts from.
    const orgDefaults = { email_enabled: true, in_app_enabled: true, preferences: { [QUIET]: { in_app: false } } };
    expect((await t.http.put('/notifications/organization-defaults', orgDefaults, { token: owner.accessToken })).status).toBe(200);
    const { pushes } = await listen(owner.accessToken);
    const first = await produce(owner.organizationId, PLAIN, [owner.userId]);
    const link = unsubscribeLink(await mailbox.waitFor(owner.email, exactly(first)));

    const res = await oneClick(link);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: `You will no longer get "Plain test news" emails from ${await orgName(owner)}.` });
    const now = (await get(owner.accessToken)).body.data;
    expect(now).toMatchObject({ source: 'user', email_enabled: true, in_app_enabled: true });
    expect(now.preferences[PLAIN]).toEqual({ email: false, in_app: true });
    expect(now.preferences[QUIET]).toEqual({ email: false, in_app: false });
    const [entry] = await audited(owner.userId, 'notification_preferences.updated');
    expect(entry).toMatchObject({ actor_user_id: owner.userId, organization_id: owner.organizationId, before: null });
    expect(entry.metadata).toMatchObject({ via: 'unsubscribe_link', type: PLAIN });

    const again = await oneClick(link, '');
    expect(again.status).toBe(200);
    expect((await again.json()).message).toMatch(/already off/);
    expect(await audited(owner.userId, 'notification_preferences.updated')).toHaveLength(1);

    const later = await produce(owner.organizationId, PLAIN, [owner.userId]);
    expect((await pushed(pushes, later)).notification.email_status).toBeNull();
    const signal = await produce(owner.organizationId, OTHER, [owner.userId]);
    await mailbox.waitFor(owner.email, exactly(signal));
    expect(await emailKey(owner.userId, later)).toBeNull();
    expect(mailed(owner.email, later)).toBe(false);
  });

  it('refuses a tampered, truncated or foreign link with 400 invalid_unsubscribe_link and changes nothing', async () => {
    const owner = await registerOrg(t.http);
    const title = await produce(owner.organizationId, PLAIN, [owner.userId]);
    const link = unsubscribeLink(await mailbox.waitFor(owner.email, exactly(title)));
    const token = new URL(link).searchParams.get('token')!;
    const [prefix, payload, mac] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const other = await registerOrg(t.http);
    const forged = Buffer.from(JSON.stringify({ ...claims, u: other.userId, o: other.organizationId })).toString('base64url');
    const foreign = new UnsubscribeTokens(randomBytes(32)).sign({
      organizationId: owner.organizationId,
      userId: owner.userId,
      type: PLAIN,
      issuedAt: new Date(),
    });
    for (const bad of [`${prefix}.${forged}.${mac}`, token.slice(0, -3), foreign, '']) {
      await expectRefused(`${t.url}/api/v1/notifications/unsubscribe?token=${encodeURIComponent(bad)}`);
    }
    expect(await stored(owner.userId)).toEqual([]);
    expect(await stored(other.userId)).toEqual([]);
  });

  it('refuses no token, a repeated, overlong or other-kind token, and a link of ours for a security or unknown type or a non-member', async () => {
    const owner = await registerOrg(t.http);
    const title = await produce(owner.organizationId, PLAIN, [owner.userId]);
    const token = new URL(unsubscribeLink(await mailbox.waitFor(owner.email, exactly(title)))).searchParams.get('token')!;
    const [, payload, mac] = token.split('.');
    const outsider = await registerOrg(t.http);
    // Signed with the app's own key: everything but what the link names is right.
    const ours = (organizationId: string, userId: string, type: string) =>
      new URL(t.app.get(UnsubscribeLinks).url(organizationId, userId, type)).search;
    const url = `${t.url}/api/v1/notifications/unsubscribe`;
    for (const query of [
      '',
      `?token=${token}&token=${token}`,
      `?token[]=${token}`,
      `?token=${token}${'A'.repeat(400)}`,
      `?token=u1.${payload}${'A'.repeat(5000)}.${mac}`,
      `?token=q1.${payload}.${mac}`,
      `?token=u2.${payload}.${mac}`,
      `?token=${payload}.${mac}`,
      ours(owner.organizationId, owner.userId, ALERT),
      ours(owner.organizationId, owner.userId, 'test.nothing_here'),
      ours(owner.organizationId, outsider.userId, PLAIN),
    ]) {
      await expectRefused(`${url}${query}`);
    }
    // The link itself still works: the refusals changed nothing it depends on.
    expect(await stored(owner.userId)).toEqual([]);
    expect(await stored(outsider.userId)).toEqual([]);
    expect(await audited(owner.userId, 'notification_preferences.updated')).toEqual([]);
    expect((await oneClick(`${url}?token=${token}`)).status).toBe(200);
  });

  it('shows a page on GET that changes nothing, whose button unsubscribes', async () => {
    const owner = await registerOrg(t.http);
    const title = await produce(owner.organizationId, PLAIN, [owner.userId]);
    const mail = await mailbox.waitFor(owner.email, exactly(title));
    const link = unsubscribeLink(mail);
    expect(mail.html).toContain('Unsubscribe from these emails');

    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'.*form-action 'self'/);
    const html = await page.text();
    expect(html).toContain('Stop emails about “Plain test news”');
    expect((await get(owner.accessToken)).body.data).toMatchObject({ source: 'defaults', preferences: { [PLAIN]: { email: true } } });
    expect(await stored(owner.userId)).toEqual([]);
    // Opening the link (as a mail scanner does) left the type mailed: its next mail arrives, and nothing was audited.
    const after = await produce(owner.organizationId, PLAIN, [owner.userId]);
    expect((await mailbox.waitFor(owner.email, exactly(after))).headers['list-unsubscribe']).toBeDefined();
    expect(await audited(owner.userId, 'notification_preferences.updated')).toEqual([]);

    // The button, as a browser submits it.
    const action = /<form method="post" action="([^"]+)">/.exec(html)![1].replace(/&amp;/g, '&');
    expect(action).toBe(new URL(link).pathname + new URL(link).search);
    const done = await fetch(`${t.url}${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('You will no longer get');
    expect((await get(owner.accessToken)).body.data.preferences[PLAIN]).toEqual({ email: false, in_app: true });
  });
});

async function orgName(owner: RegisteredOrg): Promise<string> {
  return (await t.http.get('/organizations/me', { token: owner.accessToken })).body.data.name as string;
}

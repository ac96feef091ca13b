import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, uniqueEmail } from '../support/factories.js';
import { Mailbox } from '../support/mailbox.js';
import { invitationToken } from '../support/members.js';
import { tokenFrom } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Mail that follows a change (welcome, verification, reset, magic link, invitation) goes through the outbox: written
// with the change, queued by whichever relay of the deployment delivers it, and never with a one-time token in an event.

let mailbox: Mailbox;

beforeAll(async () => {
  mailbox = await new Mailbox().start();
});
afterAll(async () => {
  await mailbox?.stop();
});

/** The outbox events of one request, oldest first. */
async function eventsOf(t: TestApp, requestId: string) {
  return t.db.query<Array<{ id: string; name: string; payload: unknown; delivered_at: Date | null }>>(
    `SELECT id, name, payload, delivered_at FROM outbox_events WHERE request_id = $1 ORDER BY seq`,
    [requestId],
  );
}

/** How many outbox events (any column: payload, rooms, names) contain `text`. */
async function eventsContaining(t: TestApp, text: string): Promise<number> {
  const [{ n }] = await t.db.query<Array<{ n: number }>>(
    `SELECT count(*)::int AS n FROM outbox_events e WHERE position($1 in e::text) > 0`,
    [text],
  );
  return n;
}

describe('mail after a crash between the commit and the delivery', () => {
  let a: TestApp | undefined;
  let b: TestApp | undefined;
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('mails the welcome and the verification link of a registration, once, from another instance', { timeout: 60_000 }, async () => {
    // Instance A commits the registration but delivers nothing (no relay), then goes away, as a crashed process would.
    a = await startTestApp({ SMTP_URL: mailbox.url, OUTBOX_RELAY: 'false' });
    const email = uniqueEmail('crash');
    const requestId = `crash-${email.split('@')[0]}`;
    const res = await a.http.post(
      '/auth/organization/register',
      { organization_name: 'Crash Works', first_name: 'Cora', last_name: 'Crash', email, password: 'Lantern-Harbor-42!' },
      { headers: { 'x-request-id': requestId } },
    );
    expect(res.status).toBe(201);
    // The only thing that carries the mail now is what the registration committed.
    const pending = await eventsOf(a, requestId);
    expect(pending.map((e) => [e.name, e.delivered_at])).toEqual([
      ['mail.queued', null],
      ['organization.registered', null],
    ]);
    await a.close();
    a = undefined;
    expect(mailbox.count(email)).toBe(0);

    b = await startTestApp({ SMTP_URL: mailbox.url });
    await mailbox.waitFor(email, /Welcome to Atrium/);
    await mailbox.waitFor(email, /Verify your email/);
    const ds = b.db;
    // Once: each mail is one delivery row, marked sent (its message, with the link, removed) in the transaction that
    // sent it, a moment after the SMTP server took it; the verification link is one token. Nothing else is left to send.
    const deliveries = () =>
      ds.query<Array<{ idempotency_key: string; message: unknown; sent: boolean }>>(
        `SELECT idempotency_key, message, sent_at IS NOT NULL AS sent FROM mail_deliveries
          WHERE idempotency_key = $1 OR idempotency_key IN (
            SELECT 'verify-email:' || t.id FROM one_time_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $2)`,
        [`welcome:${res.body.user_id}`, email],
      );
    for (const deadline = Date.now() + 10_000; (await deliveries()).some((d) => !d.sent) && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await deliveries()).toHaveLength(2);
    expect((await deliveries()).map((d) => [d.message, d.sent])).toEqual([
      [null, true],
      [null, true],
    ]);
    expect(mailbox.count(email)).toBe(2);
    const [{ tokens }] = await ds.query(
      `SELECT count(*)::int AS tokens FROM one_time_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $1`,
      [email],
    );
    expect(tokens).toBe(1);
  });
});

describe('one-time tokens and the outbox', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SMTP_URL: mailbox.url });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('never writes the token of a reset, magic-link, verification or invitation mail into an event', async () => {
    const org = await registerOrg(t.http);
    const verification = tokenFrom(await mailbox.waitFor(org.email, /Verify your email/));

    const forgot = await t.http.post('/auth/forgot-password', { email: org.email }, { headers: { 'x-request-id': `reset-${org.userId}` } });
    expect(forgot.status).toBe(202);
    const reset = tokenFrom(await mailbox.waitFor(org.email, /Reset your password/));

    const magic = await t.http.post('/auth/magic-link', { email: org.email }, { headers: { 'x-request-id': `magic-${org.userId}` } });
    expect(magic.status).toBe(202);
    const link = tokenFrom(await mailbox.waitFor(org.email, /sign-in link/i));

    const invitee = uniqueEmail('invitee');
    expect((await t.http.post('/invitations', { email: invitee }, { token: org.accessToken })).status).toBe(201);
    const invitation = invitationToken(await mailbox.waitFor(invitee));

    // The requests did go through the outbox (the request's event, then the subscriber's queued mail under the same
    // request id): the events the scan below reads are there.
    expect((await eventsOf(t, `reset-${org.userId}`)).map((e) => e.name)).toEqual(['password_reset.requested', 'mail.queued']);
    expect((await eventsOf(t, `magic-${org.userId}`)).map((e) => e.name)).toEqual(['magic_link.requested', 'mail.queued']);
    for (const token of [verification, reset, link, invitation]) expect(await eventsContaining(t, token)).toBe(0);
  });

  it('answers a reset request for an unknown address as for a known one, and its event mails nobody', async () => {
    const org = await registerOrg(t.http);
    const ghost = uniqueEmail('ghost');
    const unknown = await t.http.post('/auth/forgot-password', { email: ghost }, { headers: { 'x-request-id': `ghost-${org.userId}` } });
    const known = await t.http.post('/auth/forgot-password', { email: org.email });
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual(known.body);
    await mailbox.waitFor(org.email, /Reset your password/);
    // The unknown address's event was handled (its subscriber ran and found no account) and queued nothing.
    const [event] = await eventsOf(t, `ghost-${org.userId}`);
    const processed = await t.db.query(`SELECT 1 FROM processed_events WHERE event_id = $1 AND subscriber = 'accounts.password-reset'`, [
      event.id,
    ]);
    expect(processed).toHaveLength(1);
    const mails = await t.db.query(`SELECT 1 FROM outbox_events WHERE name = 'mail.queued' AND request_id = $1`, [`ghost-${org.userId}`]);
    expect(mails).toHaveLength(0);
    expect(mailbox.count(ghost)).toBe(0);
  });
});

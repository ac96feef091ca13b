import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue, finalStatus, payOnCheckoutPage, upgradePayment } from '../support/billing.js';
import { freePort } from '../support/free-port.js';
import { Mailbox } from '../support/mailbox.js';
import { createMember, dataSource, invitationToken, markEmailVerified, registerOrg, STRONG_PASSWORD } from '../support/members.js';
import { addMember, registerWithMfa } from '../support/security.js';
import { notificationPushes } from '../support/notifications.js';
import { connectSocket } from '../support/socket.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Every type the landed features register, produced by its real event end to end: the action over the API, then the
 * recipient's socket for that organization and their inbox (chat and call types: digests.e2e-spec).
 */

let t: TestApp;
let mailbox: Mailbox;
const sockets: Socket[] = [];

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  t = await startTestApp({ SMTP_URL: mailbox.url }, { port: await freePort() });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
  await mailbox?.stop();
});

const as = (m: { accessToken: string }) => ({ token: m.accessToken });

/** A socket of `who`, to wait for its notifications by type. */
async function inbox(who: { accessToken: string }) {
  const socket = await connectSocket(t.url, { token: who.accessToken });
  sockets.push(socket);
  const pushes = notificationPushes(socket);
  return { next: async (type: string) => (await pushes.next((n) => n.type === type, type)).notification };
}

/** Rows of a type stored for a user (in-app or email-only), per organization. */
async function stored(
  userId: string,
  type: string,
): Promise<Array<{ organization_id: string; in_app: boolean; email_key: string | null }>> {
  return dataSource(t).query(`SELECT organization_id, in_app, email_key FROM notifications WHERE user_id = $1 AND type = $2`, [
    userId,
    type,
  ]);
}

describe('members', () => {
  it('invitation.accepted tells the inviter, in the app and by mail', async () => {
    const host = await registerOrg(t.http, { organization_name: 'Harbor Host' });
    const hostInbox = await inbox(host);
    const guest = await registerOrg(t.http);
    await t.http.post('/invitations', { email: guest.email }, as(host));
    const token = invitationToken(await mailbox.waitFor(guest.email, /Join Harbor Host/));
    await markEmailVerified(t, guest.userId);
    expect((await t.http.post(`/invitations/accept/${token}`, {}, as(guest))).status).toBe(201);

    const n = await hostInbox.next('invitation.accepted');
    expect(`${n.title} ${n.body}`).toContain(guest.email);
    expect(n.data).toMatchObject({ user_id: guest.userId });
    const mail = await mailbox.waitFor(host.email, new RegExp(n.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    expect(mail.text).toContain(guest.email);
  });

  it('member.role_changed tells the member; member.revoked mails them and nothing shows in the organization they lost', async () => {
    const owner = await registerOrg(t.http, { organization_name: 'Role Works' });
    const member = await createMember(t, owner, 'member');
    const memberInbox = await inbox(member);
    expect((await t.http.put(`/users/${member.userId}`, { role: 'manager' }, as(owner))).status).toBe(200);
    const changed = await memberInbox.next('member.role_changed');
    expect(`${changed.title} ${changed.body}`).toMatch(/Manager/);
    await mailbox.waitFor(member.email, /Manager/);

    expect((await t.http.post(`/users/${member.userId}/revoke`, { reason: 'moved on' }, as(owner))).status).toBeLessThan(300);
    const gone = await mailbox.waitFor(member.email, /Your access to Role Works was removed/);
    expect(gone.text).toContain('Role Works');
    const rows = await stored(member.userId, 'member.revoked');
    expect(rows).toEqual([{ organization_id: owner.organizationId, in_app: false, email_key: expect.any(String) }]);
  });
});

describe('security', () => {
  it('security.api_key_created reaches everyone who manages API keys, the creator too, and not plain members', async () => {
    const owner = await registerOrg(t.http);
    const admin = await createMember(t, owner, 'admin');
    const member = await createMember(t, owner, 'member');
    const [ownerInbox, adminInbox] = [await inbox(owner), await inbox(admin)];
    const created = await t.http.post('/api-keys', { name: 'Deploy bot' }, as(owner));
    expect(created.status).toBe(201);
    for (const box of [ownerInbox, adminInbox]) {
      const n = await box.next('security.api_key_created');
      expect(n.title).toContain('Deploy bot');
      expect(n.data).toMatchObject({ api_key_id: created.body.data.id });
      expect(JSON.stringify(n)).not.toContain(created.body.data.key);
    }
    await mailbox.waitFor(admin.email, /Deploy bot/);
    expect(await stored(member.userId, 'security.api_key_created')).toEqual([]);
  });

  it('security.new_sign_in: a sign-in from a new device alerts the account in each of its organizations, with one mail', async () => {
    const owner = await registerOrg(t.http);
    const other = await registerOrg(t.http);
    await addMember(t, other.organizationId, 'member', owner);
    const ownerInbox = await inbox(owner);
    const res = await t.http.post(
      '/auth/login',
      { email: owner.email, password: owner.password },
      { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' } },
    );
    expect(res.status).toBe(200);
    const n = await ownerInbox.next('security.new_sign_in');
    expect(n.body).toMatch(/Firefox/);
    const mail = await mailbox.waitFor(owner.email, /New sign-in/);
    expect(mail.headers['list-unsubscribe']).toBeUndefined();
    const rows = await stored(owner.userId, 'security.new_sign_in');
    expect(rows.map((r) => r.organization_id).sort()).toEqual([owner.organizationId, other.organizationId].sort());
    expect(new Set(rows.map((r) => r.email_key)).size).toBe(1);
    expect(mailbox.messages.filter((m) => m.to.includes(owner.email) && /New sign-in/.test(m.subject))).toHaveLength(1);
  });

  it('security.password_changed and security.mfa_disabled are mailed even with email turned off', async () => {
    const user = await registerWithMfa(t);
    expect((await t.http.put('/notifications/preferences', { email_enabled: false, in_app_enabled: true }, as(user))).status).toBe(200);
    expect((await t.http.delete('/mfa/disable', { code: user.backupCodes[0] }, as(user))).status).toBeLessThan(300);
    await mailbox.waitFor(user.email, /[Tt]wo-factor/);
    // In the app too (the event also closes the user's sockets, so it is read over REST).
    const listed = (await t.http.get('/notifications', as(user))).body.data;
    expect(listed.map((n: any) => n.type)).toContain('security.mfa_disabled');

    const changed = await t.http.put(
      '/users/me/change-password',
      { current_password: user.password, new_password: `${STRONG_PASSWORD}x` },
      as(user),
    );
    expect(changed.status).toBe(204);
    await mailbox.waitFor(user.email, /[Pp]assword/);
    expect(await stored(user.userId, 'security.password_changed')).toEqual([
      { organization_id: user.organizationId, in_app: true, email_key: expect.any(String) },
    ]);
  });
});

describe('billing', () => {
  it('billing.payment_succeeded and billing.payment_failed reach the billing admins in the app (billing mails its own receipts)', async () => {
    const ids = await catalogue(t);
    const owner = await registerOrg(t.http);
    const member = await createMember(t, owner, 'member');
    const ownerInbox = await inbox(owner);
    const pay = async (card: string) => {
      const { res } = await upgradePayment(t, owner.accessToken, { package_id: ids.pkg.basic, period: '1_year' });
      expect(res.status).toBe(201);
      await payOnCheckoutPage(res.body.data.checkout_url, card);
      await finalStatus(t, owner.accessToken, res.body.data.id);
      return res.body.data.id as string;
    };
    const failed = await pay('4000 0000 0000 0002');
    const failure = await ownerInbox.next('billing.payment_failed');
    expect(failure.data).toMatchObject({ payment_id: failed });
    expect(`${failure.title} ${failure.body}`).toMatch(/\$190\.00/);
    const paid = await pay('4242 4242 4242 4242');
    const success = await ownerInbox.next('billing.payment_succeeded');
    expect(success.data).toMatchObject({ payment_id: paid });
    expect(success.email_status).toBeNull();
    expect(await stored(member.userId, 'billing.payment_succeeded')).toEqual([]);
  });
});

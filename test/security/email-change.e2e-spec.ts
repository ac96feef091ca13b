import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, type RegisteredOrg, STRONG_PASSWORD, uniqueEmail } from '../support/factories.js';
import { Mailbox } from '../support/mailbox.js';
import { createMember } from '../support/members.js';
import { tokenFrom, waitForMails } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let mailbox: Mailbox;

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  t = await startTestApp({ SMTP_URL: mailbox.url });
});
afterAll(async () => {
  await t?.close();
  await mailbox?.stop();
});

const login = (email: string, password = STRONG_PASSWORD) => t.http.post('/auth/login', { email, password });
const me = async (org: RegisteredOrg) => (await t.http.get('/users/me', { token: org.accessToken })).body.data;

/** Verifies the address the account registered with, through the link mailed at registration. */
async function verifyRegistered(org: RegisteredOrg): Promise<void> {
  const res = await t.http.get(`/auth/verify-email?token=${tokenFrom(await mailbox.waitFor(org.email, /verify your email/i))}`);
  expect(res.status).toBe(200);
}

describe('changing your own email address', () => {
  it('keeps the old address in force until the new one is verified through the link mailed to it', async () => {
    const org = await registerOrg(t.http);
    await verifyRegistered(org);
    const next = uniqueEmail('moved');

    const res = await t.http.put('/users/me', { email: next, current_password: org.password }, { token: org.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ email: org.email, pending_email: next, email_verified: true });
    expect(await me(org)).toMatchObject({ email: org.email, pending_email: next, email_verified: true });
    expect((await login(next)).status).toBe(401);
    expect((await login(org.email)).status).toBe(200);

    const notice = await mailbox.waitFor(org.email, /email address is changing/i);
    expect(notice.text).toContain(next);
    expect(notice.text).not.toMatch(/token=/);
    const token = tokenFrom(await mailbox.waitFor(next, /verify your email/i));

    const confirmed = await t.http.get(`/auth/verify-email?token=${token}`);
    expect(confirmed.status).toBe(200);
    expect(await me(org)).toMatchObject({ email: next, pending_email: null, email_verified: true });
    expect((await login(next)).status).toBe(200);
    expect((await login(org.email)).status).toBe(401);
    expect((await t.http.get(`/auth/verify-email?token=${token}`)).body.code).toBe('link_used');
  });

  it('answers 409 when another account took the address before the link was used, and changes nothing', async () => {
    const org = await registerOrg(t.http);
    const next = uniqueEmail('contested');
    await t.http.put('/users/me', { email: next, current_password: org.password }, { token: org.accessToken });
    const token = tokenFrom(await mailbox.waitFor(next, /verify your email/i));
    await registerOrg(t.http, { email: next });

    const res = await t.http.get(`/auth/verify-email?token=${token}`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('email_taken');
    expect(await me(org)).toMatchObject({ email: org.email });
    expect((await login(org.email)).status).toBe(200);
  });

  it('a newer request replaces the pending address (its earlier link dies); asking for the current address cancels it', async () => {
    const org = await registerOrg(t.http);
    const first = uniqueEmail('first');
    const second = uniqueEmail('second');
    await t.http.put('/users/me', { email: first, current_password: org.password }, { token: org.accessToken });
    const firstToken = tokenFrom(await mailbox.waitFor(first, /verify your email/i));
    const replaced = await t.http.put('/users/me', { email: second, current_password: org.password }, { token: org.accessToken });
    expect(replaced.body.data.pending_email).toBe(second);
    const secondToken = tokenFrom(await mailbox.waitFor(second, /verify your email/i));
    expect((await t.http.get(`/auth/verify-email?token=${firstToken}`)).status).toBe(400);
    expect(await me(org)).toMatchObject({ email: org.email, pending_email: second });

    const cancelled = await t.http.put('/users/me', { email: org.email }, { token: org.accessToken });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data).toMatchObject({ email: org.email, pending_email: null });
    expect((await t.http.get(`/auth/verify-email?token=${secondToken}`)).status).toBe(400);
    expect(await me(org)).toMatchObject({ email: org.email, pending_email: null });
  });

  it('resend-verification mails a fresh link for the pending address', async () => {
    const org = await registerOrg(t.http);
    await verifyRegistered(org);
    const next = uniqueEmail('resent');
    await t.http.put('/users/me', { email: next, current_password: org.password }, { token: org.accessToken });
    await mailbox.waitFor(next, /verify your email/i);
    expect((await t.http.post('/auth/resend-verification', {}, { token: org.accessToken })).status).toBe(202);
    const [, fresh] = await waitForMails(mailbox, next, /verify your email/i, 2);
    expect((await t.http.get(`/auth/verify-email?token=${tokenFrom(fresh)}`)).status).toBe(200);
    expect(await me(org)).toMatchObject({ email: next, pending_email: null });
  });

  it('a reset or sign-in link mailed to the replaced address stops working once the change is confirmed', async () => {
    const org = await registerOrg(t.http);
    await t.http.post('/auth/forgot-password', { email: org.email });
    const reset = tokenFrom(await mailbox.waitFor(org.email, /reset your password/i));
    await t.http.post('/auth/magic-link', { email: org.email });
    const magic = tokenFrom(await mailbox.waitFor(org.email, /sign-in link/i));

    const next = uniqueEmail('switched');
    await t.http.put('/users/me', { email: next, current_password: org.password }, { token: org.accessToken });
    expect((await t.http.get(`/auth/verify-email?token=${tokenFrom(await mailbox.waitFor(next, /verify your email/i))}`)).status).toBe(200);

    const resetRes = await t.http.post('/auth/reset-password', { token: reset, new_password: 'Hijacked-Lantern-77!' });
    expect(resetRes.status).toBe(400);
    expect(resetRes.body.code).toBe('invalid_link');
    const magicRes = await t.http.post('/auth/magic-link/verify', { token: magic });
    expect(magicRes.status).toBe(400);
    expect(magicRes.body.code).toBe('invalid_link');
    expect((await login(next, org.password)).status).toBe(200);
  });
});

describe("an administrator changing a member's email address", () => {
  it('is pending too: the member signs in with the old address until the new one is verified', async () => {
    const owner = await registerOrg(t.http);
    const member = await createMember(t, owner, 'member');
    const next = uniqueEmail('readdressed');

    const res = await t.http.put(`/users/${member.userId}`, { email: next }, { token: owner.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ email: member.email, pending_email: next });
    expect((await login(member.email)).status).toBe(200);
    expect((await login(next)).status).toBe(401);
    await mailbox.waitFor(member.email, /email address is changing/i);

    const token = tokenFrom(await mailbox.waitFor(next, /verify your email/i));
    expect((await t.http.get(`/auth/verify-email?token=${token}`)).status).toBe(200);
    expect((await login(next)).status).toBe(200);
    expect((await t.http.get(`/users/${member.userId}`, { token: owner.accessToken })).body.data).toMatchObject({
      email: next,
      pending_email: null,
      email_verified: true,
    });
  });
});

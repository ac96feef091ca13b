import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, uniqueEmail } from '../support/factories.js';
import { Mailbox } from '../support/mailbox.js';
import { outboxEvents } from '../support/outbox.js';
import { addMember, db, midStep, registerWithMfa, sessionIdOf, tokenFrom, totp, waitForMails } from '../support/security.js';
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

/** A device the accounts here have not signed in from (they signed in with the test client's own user agent). */
const PHONE = {
  headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile/15E148 Safari/604.1' },
};
const newSignIns = (userId: string) => outboxEvents(t, 'session.new_sign_in', 'user_id', userId);

async function linkFor(email: string, organizationId?: string, n = 1): Promise<string> {
  const res = await t.http.post('/auth/magic-link', { email, ...(organizationId ? { organization_id: organizationId } : {}) });
  expect(res.status).toBe(202);
  const mails = await waitForMails(mailbox, email, /sign-in link/i, n);
  return tokenFrom(mails[n - 1]);
}

describe('magic links', () => {
  it('answers the same 202 for unknown emails and mails only real accounts', async () => {
    const org = await registerOrg(t.http);
    const ghost = uniqueEmail('ghost');
    const known = await t.http.post('/auth/magic-link', { email: org.email });
    const unknown = await t.http.post('/auth/magic-link', { email: ghost });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    const mail = await mailbox.waitFor(org.email, /sign-in link/i);
    expect(mail.text).toContain('http://atrium.test/magic-link?token=');
    expect(mailbox.count(ghost)).toBe(0);
  });

  it('signs in once with the link (which also proves the address)', async () => {
    const org = await registerOrg(t.http);
    const token = await linkFor(org.email);
    const res = await t.http.post('/auth/magic-link/verify', { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: { id: org.userId, email_verified: true }, organization: { id: org.organizationId } });
    expect((await t.http.get('/users/me', { token: res.body.access_token })).status).toBe(200);

    const reused = await t.http.post('/auth/magic-link/verify', { token });
    expect(reused.status).toBe(400);
    expect(reused.body.code).toBe('link_used');
  });

  it('announces a sign-in with the link from a new device (session.new_sign_in), as a password sign-in does', async () => {
    const org = await registerOrg(t.http);
    const token = await linkFor(org.email);
    const res = await t.http.post('/auth/magic-link/verify', { token }, PHONE);
    expect(res.status).toBe(200);
    expect(await newSignIns(org.userId)).toEqual([
      {
        organization_id: null,
        actor_id: org.userId,
        payload: { user_id: org.userId, session_id: sessionIdOf(res.body.access_token), ip: expect.any(String), device: 'Safari on iOS' },
      },
    ]);
    expect((await t.http.post('/auth/magic-link/verify', { token }, PHONE)).status).toBe(400);
    expect(await newSignIns(org.userId)).toHaveLength(1);
  });

  it('signs in to the organization asked for, and sends nothing for one the user is not in', async () => {
    const a = await registerOrg(t.http);
    const b = await registerOrg(t.http);
    await addMember(t, b.organizationId, 'member', a);
    const token = await linkFor(a.email, b.organizationId);
    const res = await t.http.post('/auth/magic-link/verify', { token });
    expect(res.body.organization).toMatchObject({ id: b.organizationId, role: { slug: 'member' } });

    const stranger = await registerOrg(t.http);
    const before = mailbox.count(a.email);
    expect((await t.http.post('/auth/magic-link', { email: a.email, organization_id: stranger.organizationId })).status).toBe(202);
    await linkFor(stranger.email); // a later mail arriving shows the earlier request was handled
    expect(mailbox.count(a.email)).toBe(before);
  });

  it('refuses expired, malformed and unknown links', async () => {
    const org = await registerOrg(t.http);
    const token = await linkFor(org.email);
    await db(t).query(
      `UPDATE one_time_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = encode(sha256($1::bytea), 'hex')`,
      [token],
    );
    const expired = await t.http.post('/auth/magic-link/verify', { token });
    expect(expired.status).toBe(400);
    expect(expired.body.code).toBe('link_expired');
    for (const bad of ['x', 'A'.repeat(43), `${token}=`]) {
      const res = await t.http.post('/auth/magic-link/verify', { token: bad });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_link');
    }
    const invalid = await t.http.post('/auth/magic-link/verify', {});
    expect(invalid.status).toBe(400);
    const badEmail = await t.http.post('/auth/magic-link', { email: 'nope', organization_id: 'x' });
    expect(badEmail.status).toBe(400);
    expect((badEmail.body.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual(['email', 'organization_id']);
  });

  it('goes through MFA when it is on: the link alone is not enough and stays usable until the code is right', async () => {
    const u = await registerWithMfa(t);
    const token = await linkFor(u.email);
    const first = await t.http.post('/auth/magic-link/verify', { token }, PHONE);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ mfa_required: true });
    const wrong = await t.http.post('/auth/magic-link/verify', { token, mfa_code: 'zzzzz-zzzzz' }, PHONE);
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_mfa_code');
    // Neither opened a session, so neither announced the new device; the sign-in the right code completes does.
    expect(await newSignIns(u.userId)).toEqual([]);
    await midStep();
    const ok = await t.http.post('/auth/magic-link/verify', { token, mfa_code: await totp(u.secret) }, PHONE);
    expect(ok.status).toBe(200);
    expect(ok.body.access_token).toBeTruthy();
    expect((await newSignIns(u.userId)).map((e) => e.payload.session_id)).toEqual([sessionIdOf(ok.body.access_token)]);
    const reused = await t.http.post('/auth/magic-link/verify', { token, mfa_code: u.backupCodes[0] });
    expect(reused.status).toBe(400);
    expect(reused.body.code).toBe('link_used');
  });
});

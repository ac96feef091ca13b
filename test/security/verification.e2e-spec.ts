import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, STRONG_PASSWORD, uniqueEmail } from '../support/factories.js';
import { Mailbox } from '../support/mailbox.js';
import { outboxEvents } from '../support/outbox.js';
import { db, tokenFrom, waitForMails } from '../support/security.js';
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

const expire = (token: string) =>
  db(t).query(`UPDATE one_time_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = encode(sha256($1::bytea), 'hex')`, [
    token,
  ]);

describe('email verification', () => {
  it('mails a link at registration that marks the address verified once', async () => {
    const org = await registerOrg(t.http);
    expect((await t.http.get('/users/me', { token: org.accessToken })).body.data.email_verified).toBe(false);
    const mail = await mailbox.waitFor(org.email, /verify your email/i);
    expect(mail.text).toContain('http://atrium.test/api/v1/auth/verify-email?token=');
    const token = tokenFrom(mail);

    const ok = await t.http.get(`/auth/verify-email?token=${token}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ message: 'Email verified' });
    expect((await t.http.get('/users/me', { token: org.accessToken })).body.data.email_verified).toBe(true);

    const again = await t.http.get(`/auth/verify-email?token=${token}`);
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('link_used');
  });

  it('refuses malformed, unknown, missing and expired tokens', async () => {
    const malformed = await t.http.get('/auth/verify-email?token=not-a-token');
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('invalid_link');
    const unknown = await t.http.get(`/auth/verify-email?token=${'A'.repeat(43)}`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('invalid_link');
    const missing = await t.http.get('/auth/verify-email');
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('validation_failed');

    const org = await registerOrg(t.http);
    const token = tokenFrom(await mailbox.waitFor(org.email, /verify your email/i));
    await expire(token);
    const expired = await t.http.get(`/auth/verify-email?token=${token}`);
    expect(expired.status).toBe(400);
    expect(expired.body.code).toBe('link_expired');
    expect((await t.http.get('/users/me', { token: org.accessToken })).body.data.email_verified).toBe(false);
  });

  it('resends a fresh link (the earlier one dies) and refuses once verified', async () => {
    const org = await registerOrg(t.http);
    const first = tokenFrom(await mailbox.waitFor(org.email, /verify your email/i));
    expect((await t.http.post('/auth/resend-verification')).status).toBe(401);
    const resent = await t.http.post('/auth/resend-verification', {}, { token: org.accessToken });
    expect(resent.status).toBe(202);
    const mails = await waitForMails(mailbox, org.email, /verify your email/i, 2);
    expect(mails).toHaveLength(2);
    const second = tokenFrom(mails[1]);
    expect(second).not.toBe(first);
    expect((await t.http.get(`/auth/verify-email?token=${first}`)).body.code).toBe('link_used');
    expect((await t.http.get(`/auth/verify-email?token=${second}`)).status).toBe(200);
    const done = await t.http.post('/auth/resend-verification', {}, { token: org.accessToken });
    expect(done.status).toBe(409);
    expect(done.body.code).toBe('email_already_verified');
  });
});

describe('changing the email address', () => {
  it('needs the current password, refuses a taken address, and switches once the new address is verified', async () => {
    const org = await registerOrg(t.http);
    const other = await registerOrg(t.http);
    await t.http.get(`/auth/verify-email?token=${tokenFrom(await mailbox.waitFor(org.email, /verify your email/i))}`);
    const newEmail = uniqueEmail('moved');

    const noPassword = await t.http.put('/users/me', { email: newEmail }, { token: org.accessToken });
    expect(noPassword.status).toBe(400);
    expect(noPassword.body.code).toBe('current_password_required');
    const wrong = await t.http.put('/users/me', { email: newEmail, current_password: 'Wrong-Password-9' }, { token: org.accessToken });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('wrong_password');
    const taken = await t.http.put('/users/me', { email: other.email, current_password: org.password }, { token: org.accessToken });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('email_taken');
    expect((await t.http.get('/users/me', { token: org.accessToken })).body.data).toMatchObject({ email: org.email, email_verified: true });

    const ok = await t.http.put('/users/me', { email: newEmail.toUpperCase(), current_password: org.password }, { token: org.accessToken });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toMatchObject({ email: org.email, pending_email: newEmail, email_verified: true });
    const token = tokenFrom(await mailbox.waitFor(newEmail, /verify your email/i));
    expect((await t.http.get(`/auth/verify-email?token=${token}`)).status).toBe(200);
    expect((await t.http.get('/users/me', { token: org.accessToken })).body.data).toMatchObject({ email: newEmail, email_verified: true });
    expect((await t.http.post('/auth/login', { email: newEmail, password: org.password })).status).toBe(200);
  });

  it('asking to change the address voids the link sent to the current one', async () => {
    const org = await registerOrg(t.http);
    const oldToken = tokenFrom(await mailbox.waitFor(org.email, /verify your email/i));
    await t.http.put('/users/me', { email: uniqueEmail('next'), current_password: org.password }, { token: org.accessToken });
    const res = await t.http.get(`/auth/verify-email?token=${oldToken}`);
    expect(res.status).toBe(400);
    expect((await t.http.get('/users/me', { token: org.accessToken })).body.data.email_verified).toBe(false);
  });
});

describe('password reset', () => {
  it('answers the same 202 body for known and unknown emails, and mails only the known one', async () => {
    const org = await registerOrg(t.http);
    const unknownEmail = uniqueEmail('nobody');
    const known = await t.http.post('/auth/forgot-password', { email: org.email });
    const unknown = await t.http.post('/auth/forgot-password', { email: unknownEmail });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    expect(known.body.message).toMatch(/if an account exists/i);
    await mailbox.waitFor(org.email, /reset your password/i);
    expect(mailbox.count(unknownEmail)).toBe(0);
  });

  it('does the same work for an unknown address as for a known one: one event naming it, no lookup before answering', async () => {
    // An instance without a relay, in a namespace of its own: what the request itself does stays in the table.
    const prefix = `q${randomBytes(5).toString('hex')}`;
    const quiet = await startTestApp({ SMTP_URL: mailbox.url, OUTBOX_RELAY: 'false', QUEUE_PREFIX: prefix });
    try {
      const org = await registerOrg(quiet.http);
      const ghost = uniqueEmail('ghost');
      for (const email of [org.email, ghost]) expect((await quiet.http.post('/auth/forgot-password', { email })).status).toBe(202);
      const events = await db(quiet).query(
        `SELECT name, payload FROM outbox_events WHERE scope = $1 AND name = 'password_reset.requested' ORDER BY seq`,
        [prefix],
      );
      expect(events).toEqual([
        { name: 'password_reset.requested', payload: { email: org.email } },
        { name: 'password_reset.requested', payload: { email: ghost } },
      ]);
      // The known account's link does not exist yet: the lookup and the token come after the answer, for both alike.
      const tokens = await db(quiet).query(`SELECT 1 FROM one_time_tokens WHERE user_id = $1 AND purpose = 'password_reset'`, [org.userId]);
      expect(tokens).toEqual([]);
    } finally {
      await db(quiet).query(`DELETE FROM outbox_events WHERE scope = $1`, [prefix]);
      await quiet.close();
    }
  });

  it('builds the link from PUBLIC_URL, never from the Host header', async () => {
    const org = await registerOrg(t.http);
    const { port } = new URL(t.url);
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/auth/forgot-password',
          headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 202 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ email: org.email }));
    });
    const mail = await mailbox.waitFor(org.email, /reset your password/i);
    expect(mail.text).toContain('http://atrium.test/reset-password?token=');
    expect(mail.text + mail.html).not.toContain('evil.example');
  });

  it('sets the password, ends every session, and refuses the token a second time', async () => {
    const org = await registerOrg(t.http);
    const second = await t.http.post('/auth/login', { email: org.email, password: org.password });
    await t.http.post('/auth/forgot-password', { email: org.email });
    const token = tokenFrom(await mailbox.waitFor(org.email, /reset your password/i));

    const weak = await t.http.post('/auth/reset-password', { token, new_password: 'password' });
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('weak_password');
    const announced = () => outboxEvents(t, 'account.password_changed', 'user_id', org.userId);
    expect(await announced()).toEqual([]);

    const ok = await t.http.post('/auth/reset-password', { token, new_password: 'Brand-New-Orchard-8' });
    expect(ok.status).toBe(200);
    expect(await announced()).toEqual([{ organization_id: null, actor_id: org.userId, payload: { user_id: org.userId, via: 'reset' } }]);
    for (const access of [org.accessToken, second.body.access_token]) {
      const me = await t.http.get('/users/me', { token: access });
      expect(me.status).toBe(401);
      expect(me.body.code).toBe('session_revoked');
    }
    expect((await t.http.post('/auth/refresh', { refresh_token: org.refreshToken })).status).toBe(401);
    expect((await t.http.post('/auth/login', { email: org.email, password: org.password })).status).toBe(401);
    expect((await t.http.post('/auth/login', { email: org.email, password: 'Brand-New-Orchard-8' })).status).toBe(200);

    const reused = await t.http.post('/auth/reset-password', { token, new_password: 'Another-Fresh-Pass-9' });
    expect(reused.status).toBe(400);
    expect(reused.body.code).toBe('link_used');
    expect(await announced()).toHaveLength(1);
    expect((await t.http.post('/auth/login', { email: org.email, password: 'Brand-New-Orchard-8' })).status).toBe(200);
  });

  it('refuses expired, malformed and unknown tokens and changes nothing', async () => {
    const org = await registerOrg(t.http);
    await t.http.post('/auth/forgot-password', { email: org.email });
    const token = tokenFrom(await mailbox.waitFor(org.email, /reset your password/i));
    await expire(token);
    const expired = await t.http.post('/auth/reset-password', { token, new_password: 'Brand-New-Orchard-8' });
    expect(expired.status).toBe(400);
    expect(expired.body.code).toBe('link_expired');
    for (const bad of ['short', `${token}x`, 'A'.repeat(43)]) {
      const res = await t.http.post('/auth/reset-password', { token: bad, new_password: 'Brand-New-Orchard-8' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_link');
    }
    const missing = await t.http.post('/auth/reset-password', { new_password: 5 });
    expect(missing.status).toBe(400);
    expect((missing.body.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual(['new_password', 'token']);
    expect((await t.http.get('/users/me', { token: org.accessToken })).status).toBe(200);
    expect((await t.http.post('/auth/login', { email: org.email, password: STRONG_PASSWORD })).status).toBe(200);
    expect(await outboxEvents(t, 'account.password_changed', 'user_id', org.userId)).toEqual([]);
  });

  it('validates the forgot-password body', async () => {
    const res = await t.http.post('/auth/forgot-password', { email: 'nope' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
  });
});

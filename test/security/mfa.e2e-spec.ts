import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg } from '../support/factories.js';
import { Mailbox } from '../support/mailbox.js';
import { outboxEvents } from '../support/outbox.js';
import { db, midStep, registerWithMfa, tokenFrom, totp } from '../support/security.js';
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

const creds = (u: { email: string; password: string }) => ({ email: u.email, password: u.password });

describe('MFA setup', () => {
  it('initializes with a secret, an otpauth URI and a QR data URL, and stores the secret encrypted', async () => {
    const org = await registerOrg(t.http);
    const before = await t.http.get('/mfa/check', { token: org.accessToken });
    expect(before.body.data).toEqual({ enabled: false, pending_setup: false, enabled_at: null, backup_codes_remaining: 0 });

    const init = await t.http.post('/mfa/setup/initialize', {}, { token: org.accessToken });
    expect(init.status).toBe(200);
    const { secret, otpauth_url, qr_code } = init.body.data;
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(otpauth_url).toMatch(/^otpauth:\/\/totp\//);
    expect(otpauth_url).toContain(`secret=${secret}`);
    expect(qr_code).toMatch(/^data:image\/png;base64,/);
    expect((await t.http.get('/mfa/check', { token: org.accessToken })).body.data).toMatchObject({ enabled: false, pending_setup: true });

    const [row] = await db(t).query('SELECT secret_encrypted FROM user_mfa WHERE user_id = $1', [org.userId]);
    expect(row.secret_encrypted).toMatch(/^v1\./);
    expect(row.secret_encrypted).not.toContain(secret);
    // Still pending: signing in needs no code yet.
    expect((await t.http.post('/auth/login', creds(org))).body.access_token).toBeTruthy();
  });

  it('turns MFA on with a good code, returns 10 backup codes once, and refuses a wrong code', async () => {
    const org = await registerOrg(t.http);
    const notStarted = await t.http.post('/mfa/setup/verify', { code: '123456' }, { token: org.accessToken });
    expect(notStarted.status).toBe(409);
    expect(notStarted.body.code).toBe('mfa_setup_not_started');
    const { secret } = (await t.http.post('/mfa/setup/initialize', {}, { token: org.accessToken })).body.data;
    await midStep();
    const good = await totp(secret);
    const wrong = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
    const bad = await t.http.post('/mfa/setup/verify', { code: wrong }, { token: org.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('wrong_mfa_code');
    const invalid = await t.http.post('/mfa/setup/verify', {}, { token: org.accessToken });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('validation_failed');

    const ok = await t.http.post('/mfa/setup/verify', { code: good }, { token: org.accessToken });
    expect(ok.status).toBe(200);
    expect(ok.body.data.enabled).toBe(true);
    expect(ok.body.data.backup_codes).toHaveLength(10);
    const check = await t.http.get('/mfa/check', { token: org.accessToken });
    expect(check.body.data).toMatchObject({ enabled: true, pending_setup: false, backup_codes_remaining: 10 });
    expect(JSON.stringify(check.body)).not.toContain(secret);
    const count = await t.http.get('/mfa/backup-codes', { token: org.accessToken });
    expect(count.body.data).toEqual({ remaining: 10, total: 10 });
    expect(JSON.stringify(count.body)).not.toContain(ok.body.data.backup_codes[0]);
    const again = await t.http.post('/mfa/setup/initialize', {}, { token: org.accessToken });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('mfa_already_enabled');
  });

  it('needs a session', async () => {
    expect((await t.http.get('/mfa/check')).status).toBe(401);
    expect((await t.http.post('/mfa/setup/initialize')).status).toBe(401);
  });
});

describe('signing in with MFA on', () => {
  it('answers {mfa_required: true} with no tokens, then signs in with password and code', async () => {
    const u = await registerWithMfa(t);
    const phone = {
      headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile/15E148 Safari/604.1' },
    };
    const login = await t.http.post('/auth/login', creds(u), phone);
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ mfa_required: true });
    const newSignIns = () => outboxEvents(t, 'session.new_sign_in', 'user_id', u.userId);
    // The password alone opened nothing, so it announced nothing; the sign-in it completes with the code does.
    expect(await newSignIns()).toEqual([]);

    await midStep();
    const ok = await t.http.post(
      '/auth/verify-mfa',
      { ...creds(u), mfa_code: await totp(u.secret), organization_id: u.organizationId },
      phone,
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ user: { id: u.userId }, organization: { id: u.organizationId } });
    expect((await newSignIns()).map((e) => e.payload.device)).toEqual(['Safari on iOS']);
    expect((await t.http.get('/users/me', { token: ok.body.access_token })).status).toBe(200);
  });

  it('accepts one step of drift either way, refuses two, and refuses a replayed code', async () => {
    const u = await registerWithMfa(t); // confirmed with the previous step's code
    await midStep(8);
    const tooOld = await t.http.post('/auth/verify-mfa', { ...creds(u), mfa_code: await totp(u.secret, -2) });
    expect(tooOld.status).toBe(401);
    expect(tooOld.body.code).toBe('invalid_mfa_code');
    const tooNew = await t.http.post('/auth/verify-mfa', { ...creds(u), mfa_code: await totp(u.secret, 2) });
    expect(tooNew.status).toBe(401);
    expect(tooNew.body.code).toBe('invalid_mfa_code');

    const ahead = await totp(u.secret, 1);
    const drifted = await t.http.post('/auth/verify-mfa', { ...creds(u), mfa_code: ahead });
    expect(drifted.status).toBe(200);
    const replay = await t.http.post('/auth/verify-mfa', { ...creds(u), mfa_code: ahead });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('mfa_code_reused');
    // The current step is older than the one just accepted: refused as well.
    const older = await t.http.post('/auth/verify-mfa', { ...creds(u), mfa_code: await totp(u.secret) });
    expect(older.status).toBe(401);
    expect(older.body.code).toBe('mfa_code_reused');

    // registerWithMfa left ≥ 6 s in the step it confirmed in, so "the previous step" is still the one it used.
    const other = await registerWithMfa(t);
    const behind = await t.http.post('/auth/verify-mfa', { ...creds(other), mfa_code: await totp(other.secret, -1) });
    expect(behind.status).toBe(401); // the previous step was used to confirm setup
    expect(behind.body.code).toBe('mfa_code_reused');
  });

  it('accepts the previous step when it was not used yet', async () => {
    const org = await registerOrg(t.http);
    const { secret } = (await t.http.post('/mfa/setup/initialize', {}, { token: org.accessToken })).body.data;
    await midStep();
    expect((await t.http.post('/mfa/setup/verify', { code: await totp(secret, -1) }, { token: org.accessToken })).status).toBe(200);
    await db(t).query('UPDATE user_mfa SET last_time_step = last_time_step - 5 WHERE user_id = $1', [org.userId]);
    const res = await t.http.post('/auth/verify-mfa', { ...creds(org), mfa_code: await totp(secret, -1) });
    expect(res.status).toBe(200);
  });

  it('accepts each backup code once', async () => {
    const u = await registerWithMfa(t);
    const [code] = u.backupCodes;
    const ok = await t.http.post('/auth/verify-mfa', { ...creds(u), mfa_code: code.toUpperCase() });
    expect(ok.status).toBe(200);
    const used = await t.http.post('/auth/verify-mfa', { ...creds(u), mfa_code: code });
    expect(used.status).toBe(401);
    expect(used.body.code).toBe('invalid_mfa_code');
    expect((await t.http.get('/mfa/backup-codes', { token: ok.body.access_token })).body.data.remaining).toBe(9);
  });

  it('refuses a wrong password before looking at the code, and a right one for an account without MFA alike', async () => {
    const u = await registerWithMfa(t);
    const wrongPassword = await t.http.post('/auth/verify-mfa', {
      email: u.email,
      password: 'Not-It-At-All-1',
      mfa_code: u.backupCodes[0],
    });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body.code).toBe('invalid_credentials');
    const plain = await registerOrg(t.http);
    const noMfa = await t.http.post('/auth/verify-mfa', { ...creds(plain), mfa_code: '123456' });
    // Neither whether the password was right nor whether the account has MFA shows.
    expect(noMfa.status).toBe(401);
    expect({ ...noMfa.body, requestId: undefined }).toEqual({ ...wrongPassword.body, requestId: undefined });
    const invalid = await t.http.post('/auth/verify-mfa', { email: u.email, password: u.password });
    expect(invalid.status).toBe(400);
  });

  it('locks after too many wrong codes with 429 and Retry-After, even for a right code', async () => {
    const u = await registerWithMfa(t);
    for (let i = 0; i < 4; i++) {
      const res = await t.http.post('/auth/verify-mfa', { ...creds(u), mfa_code: 'aaaaa-aaaaa' });
      expect(res.status).toBe(401);
    }
    const locked = await t.http.post('/auth/verify-mfa', { ...creds(u), mfa_code: 'aaaaa-aaaaa' });
    expect(locked.status).toBe(429);
    expect(locked.body).toMatchObject({ statusCode: 429, code: 'too_many_mfa_attempts' });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    const stillLocked = await t.http.post('/auth/verify-mfa', { ...creds(u), mfa_code: u.backupCodes[1] });
    expect(stillLocked.status).toBe(429);

    await db(t).query(`UPDATE user_mfa SET locked_until = now() - interval '1 second' WHERE user_id = $1`, [u.userId]);
    const after = await t.http.post('/auth/verify-mfa', { ...creds(u), mfa_code: u.backupCodes[1] });
    expect(after.status).toBe(200);
  });

  it('keeps MFA on through a password reset', async () => {
    const u = await registerWithMfa(t);
    await t.http.post('/auth/forgot-password', { email: u.email });
    const token = tokenFrom(await mailbox.waitFor(u.email, /reset your password/i));
    expect((await t.http.post('/auth/reset-password', { token, new_password: 'Quiet-River-Stone-4' })).status).toBe(200);
    const login = await t.http.post('/auth/login', { email: u.email, password: 'Quiet-River-Stone-4' });
    expect(login.body).toEqual({ mfa_required: true });
    const [row] = await db(t).query('SELECT enabled_at FROM user_mfa WHERE user_id = $1', [u.userId]);
    expect(row.enabled_at).not.toBeNull();
  });
});

describe('backup codes and disabling', () => {
  it('regenerates backup codes with a current code; the old ones stop working', async () => {
    const u = await registerWithMfa(t);
    const noCode = await t.http.post('/mfa/backup-codes/regenerate', {}, { token: u.accessToken });
    expect(noCode.status).toBe(400);
    const res = await t.http.post('/mfa/backup-codes/regenerate', { code: u.backupCodes[0] }, { token: u.accessToken });
    expect(res.status).toBe(200);
    const fresh: string[] = res.body.data.backup_codes;
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => u.backupCodes.includes(c))).toBe(false);
    const old = await t.http.post('/auth/verify-mfa', { ...creds(u), mfa_code: u.backupCodes[2] });
    expect(old.status).toBe(401);
    expect((await t.http.post('/auth/verify-mfa', { ...creds(u), mfa_code: fresh[0] })).status).toBe(200);
  });

  it('disables with a valid code only; afterwards sign-in needs no code', async () => {
    const u = await registerWithMfa(t);
    const wrong = await t.http.delete('/mfa/disable', { code: '000000' }, { token: u.accessToken });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('wrong_mfa_code');
    expect((await t.http.post('/auth/login', creds(u))).body).toEqual({ mfa_required: true });
    const ok = await t.http.delete('/mfa/disable', { code: u.backupCodes[0] }, { token: u.accessToken });
    expect(ok.status).toBe(200);
    expect((await t.http.get('/mfa/check', { token: u.accessToken })).body.data.enabled).toBe(false);
    expect((await t.http.post('/auth/login', creds(u))).body.access_token).toBeTruthy();
    const again = await t.http.delete('/mfa/disable', { code: u.backupCodes[1] }, { token: u.accessToken });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('mfa_not_enabled');
    expect((await t.http.get('/mfa/backup-codes', { token: u.accessToken })).status).toBe(409);
  });

  it('a code already used to sign in confirms nothing: 400 mfa_code_already_used, not the 401 of a sign-in', async () => {
    const u = await registerWithMfa(t);
    await midStep();
    const code = await totp(u.secret);
    expect((await t.http.post('/auth/verify-mfa', { ...creds(u), mfa_code: code })).status).toBe(200);
    const replay = await t.http.delete('/mfa/disable', { code }, { token: u.accessToken });
    expect([replay.status, replay.body.code]).toEqual([400, 'mfa_code_already_used']);
    expect((await t.http.get('/mfa/check', { token: u.accessToken })).body.data.enabled).toBe(true);
  });
});

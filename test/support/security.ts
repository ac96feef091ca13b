import { generate } from 'otplib';
import { DataSource } from 'typeorm';
import { registerOrg, type RegisteredOrg } from './factories.js';
import type { Mailbox, ReceivedMail } from './mailbox.js';
import type { TestApp } from './test-app.js';

/** The 256-bit token a mailed link carries. */
export function tokenFrom(mail: ReceivedMail): string {
  const m = /token=([A-Za-z0-9_-]{43})/.exec(mail.text);
  if (!m) throw new Error(`no token in mail "${mail.subject}"`);
  return m[1];
}

/** Returns when at least `marginSeconds` remain in the current 30-second TOTP step, so ±N steps mean what a test says. */
export async function midStep(marginSeconds = 6): Promise<void> {
  const into = (Date.now() / 1000) % 30;
  if (into > 30 - marginSeconds) await new Promise((r) => setTimeout(r, (30 - into + 0.5) * 1000));
}

/** The TOTP code `offsetSteps` steps from now. */
export function totp(secret: string, offsetSteps = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });
}

export interface MfaUser extends RegisteredOrg {
  secret: string;
  backupCodes: string[];
}

/** A fresh organization whose owner has MFA on, confirmed with the previous step's code (the current step is left unused). */
export async function registerWithMfa(t: TestApp): Promise<MfaUser> {
  const org = await registerOrg(t.http);
  const init = await t.http.post('/mfa/setup/initialize', {}, { token: org.accessToken });
  if (init.status !== 200) throw new Error(`mfa init failed: ${init.status} ${JSON.stringify(init.body)}`);
  const secret: string = init.body.data.secret;
  await midStep();
  const verify = await t.http.post('/mfa/setup/verify', { code: await totp(secret, -1) }, { token: org.accessToken });
  if (verify.status !== 200) throw new Error(`mfa verify failed: ${verify.status} ${JSON.stringify(verify.body)}`);
  return { ...org, secret, backupCodes: verify.body.data.backup_codes };
}

/** Adds an existing user to an organization with one of its roles (what invitations will do), straight in the database. */
export async function addMember(
  t: TestApp,
  organizationId: string,
  roleSlug: string,
  user?: RegisteredOrg,
): Promise<RegisteredOrg & { homeOrganizationId: string }> {
  const member = user ?? (await registerOrg(t.http));
  await t.db.query(
    `INSERT INTO memberships (organization_id, user_id, role_id, status)
     SELECT $1, $2, r.id, 'active' FROM roles r WHERE r.organization_id = $1 AND r.slug = $3`,
    [organizationId, member.userId, roleSlug],
  );
  const login = await t.http.post('/auth/login', { email: member.email, password: member.password, organization_id: organizationId });
  if (login.status !== 200) throw new Error(`member login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return {
    ...member,
    homeOrganizationId: member.organizationId,
    organizationId,
    accessToken: login.body.access_token,
    refreshToken: login.body.refresh_token,
  };
}

/** The session an access token belongs to (its `sid` claim). */
export function sessionIdOf(accessToken: string): string {
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).sid;
}

export function db(t: TestApp): DataSource {
  return t.db;
}

/** Every mail to `to` matching `subject`, once there are at least `n` of them. */
export async function waitForMails(mailbox: Mailbox, to: string, subject: RegExp, n: number, timeoutMs = 15_000): Promise<ReceivedMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = mailbox.messages.filter((m) => m.to.includes(to.toLowerCase()) && subject.test(m.subject));
    if (found.length >= n) return found;
    if (Date.now() > deadline) throw new Error(`only ${found.length} of ${n} mails to ${to} matching ${subject}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

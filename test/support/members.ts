import { DataSource } from 'typeorm';
import { registerOrg, STRONG_PASSWORD, uniqueEmail, type RegisteredOrg } from './factories.js';
import type { ReceivedMail } from './mailbox.js';
import type { TestApp } from './test-app.js';

/** A member created through the admin API and signed in to that organization. */
export interface Member {
  userId: string;
  email: string;
  password: string;
  organizationId: string;
  accessToken: string;
  refreshToken: string;
}

export function dataSource(t: TestApp): DataSource {
  return t.db;
}

export async function signIn(t: TestApp, email: string, password: string, organizationId?: string) {
  const res = await t.http.post('/auth/login', { email, password, ...(organizationId ? { organization_id: organizationId } : {}) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { accessToken: res.body.access_token as string, refreshToken: res.body.refresh_token as string };
}

/** Creates a user with `role` in the owner's organization via POST /users, then signs them in there. */
export async function createMember(t: TestApp, owner: RegisteredOrg, role: string, extra: Record<string, unknown> = {}): Promise<Member> {
  const email = uniqueEmail(role);
  const res = await t.http.post(
    '/users',
    { email, password: STRONG_PASSWORD, role, first_name: 'Mia', last_name: 'Member', ...extra },
    { token: owner.accessToken },
  );
  if (res.status !== 201) throw new Error(`create user failed: ${res.status} ${JSON.stringify(res.body)}`);
  const tokens = await signIn(t, email, STRONG_PASSWORD, owner.organizationId);
  return { userId: res.body.data.id, email, password: STRONG_PASSWORD, organizationId: owner.organizationId, ...tokens };
}

/** Marks an account's address verified straight in the database (what the link mailed to it does). */
export async function markEmailVerified(t: TestApp, userId: string): Promise<void> {
  await dataSource(t).query(`UPDATE users SET email_verified_at = now() WHERE id = $1`, [userId]);
}

/** Puts an organization on a package straight in the database (buying and upgrading is the billing feature's). */
export async function setPackage(t: TestApp, organizationId: string, slug: string): Promise<void> {
  await dataSource(t).query(
    `UPDATE organization_subscriptions SET package_id = (SELECT id FROM packages WHERE slug = $2) WHERE organization_id = $1`,
    [organizationId, slug],
  );
}

/** The invitation token a mailed link carries. */
export function invitationToken(mail: ReceivedMail): string {
  const m = /invitations\/accept\?token=([A-Za-z0-9_-]{43})/.exec(mail.text);
  if (!m) throw new Error(`no invitation link in mail "${mail.subject}"`);
  return m[1];
}

export { registerOrg, STRONG_PASSWORD, uniqueEmail };

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, STRONG_PASSWORD, uniqueEmail } from '../support/factories.js';
import type { HttpResponse, RequestOptions } from '../support/http-client.js';
import { Mailbox } from '../support/mailbox.js';
import { createMember, invitationToken, setPackage } from '../support/members.js';
import { apiRoutes } from '../support/routes.js';
import { db, midStep, sessionIdOf, tokenFrom, totp, waitForMails } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The route matrix of the audit trail: every mutating route of the account, access (sessions, MFA, API keys),
 * organization, roles and members/invitations features is driven once, and the entry it wrote (found by the request id
 * the test sent) is checked field by field: action, resource, target label, actor (email, or API key name), ip, user
 * agent, request id, time, and no secret anywhere in it. The last test reads the OpenAPI document: a mutating route of
 * these features that is neither driven here nor listed below with its reason fails it. Notification preferences, chats and
 * calls are driven too; billing's routes (payments, packages, add-ons, billing details) are not yet: their entries are
 * checked in the billing specs.
 */

/**
 * Mutating routes that legitimately write no entry, with the reason. Besides these, a refused request writes nothing
 * (account-audit.e2e-spec proves it for a refused password change): failed sign-ins change nothing and are counted by
 * the rate limiter, not audited.
 */
const NO_ENTRY: Record<string, string> = {
  'POST /auth/refresh':
    'rotates the refresh token of a session already recorded as `session.created`: continuing a session is not a new action',
  'POST /auth/magic-link':
    'anonymous; only mails a link (answering alike for unknown addresses). Using the link is recorded (`session.created`)',
  'POST /auth/forgot-password':
    'anonymous; only mails a link (answering alike for unknown addresses). Using the link is recorded (`user.password_reset`)',
  'POST /auth/resend-verification': 'only mails the verification link again; using it is recorded (`user.email_verified`)',
};

/** A browser's user agent (so a session's target reads "Chrome on macOS"), tagged per request. */
const userAgent = (tag: string) =>
  `Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 audit-matrix/${tag}`;
const DEVICE = 'Chrome on macOS';

type Actor = { userId: string; email: string } | { apiKeyId: string; apiKeyName: string };

interface Expected {
  organizationId: string;
  action: string;
  resourceType: string;
  resourceId: string | null;
  target: string | null;
  actor: Actor;
}

interface Row {
  organization_id: string;
  action: string;
  resource_type: string;
  resource_id: string | null;
  target: string | null;
  actor_user_id: string | null;
  actor_email: string | null;
  actor_api_key_id: string | null;
  actor_api_key_name: string | null;
  before: unknown;
  after: unknown;
  metadata: unknown;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  created_at: Date;
}

let t: TestApp;
let mailbox: Mailbox;
/** Routes driven, as the OpenAPI document names them (`POST /api-keys/{id}/rotate`). */
const driven = new Set<string>();
/** Every secret a driven request sent or received: none may appear in any entry. */
const secrets = new Set<string>();
const requestIds: string[] = [];

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  t = await startTestApp({ SMTP_URL: mailbox.url });
});
afterAll(async () => {
  await t?.close();
  await mailbox?.stop();
});

const keep = (...values: Array<string | undefined>) => values.forEach((v) => v && secrets.add(v));

/**
 * Sends one request (through `send`, with a fresh request id and user agent), expects it to succeed, and checks the
 * entry it wrote; returns the response.
 */
async function drive(
  route: string,
  send: (opts: RequestOptions) => Promise<HttpResponse>,
  expected: (res: HttpResponse) => Expected,
  auth: RequestOptions = {},
): Promise<HttpResponse> {
  const requestId = randomUUID();
  const agent = userAgent(requestId);
  const startedAt = Date.now();
  const res = await send({ ...auth, headers: { 'x-request-id': requestId, 'user-agent': agent } });
  expect(res.status, `${route}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  requestIds.push(requestId);
  const want = expected(res);
  const rows = await db(t).query<Row[]>(`SELECT * FROM audit_logs WHERE request_id = $1`, [requestId]);
  const entry = rows.find((r) => r.action === want.action && r.organization_id === want.organizationId);
  expect(entry, `${route} writes ${want.action} (wrote: ${rows.map((r) => r.action).join(', ') || 'nothing'})`).toBeDefined();
  const actor =
    'userId' in want.actor
      ? { actor_user_id: want.actor.userId, actor_email: want.actor.email, actor_api_key_id: null, actor_api_key_name: null }
      : { actor_user_id: null, actor_email: null, actor_api_key_id: want.actor.apiKeyId, actor_api_key_name: want.actor.apiKeyName };
  expect(entry, route).toMatchObject({
    organization_id: want.organizationId,
    resource_type: want.resourceType,
    resource_id: want.resourceId,
    target: want.target,
    ...actor,
    user_agent: agent,
    request_id: requestId,
  });
  expect(entry!.ip, route).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  expect(entry!.created_at.getTime(), route).toBeGreaterThanOrEqual(startedAt - 5_000);
  expect(entry!.created_at.getTime(), route).toBeLessThanOrEqual(Date.now() + 5_000);
  driven.add(route);
  return res;
}

const user = (u: { userId: string; email: string }): Actor => ({ userId: u.userId, email: u.email });

describe('every mutating route writes a complete audit entry', () => {
  it('account: registration, sign-in, profile, email change, password change and reset, sessions, logout', async () => {
    const email = uniqueEmail('matrix');
    const name = `Matrix ${randomUUID().slice(0, 6)}`;
    keep(STRONG_PASSWORD);
    const reg = await drive(
      'POST /auth/organization/register',
      (o) =>
        t.http.post(
          '/auth/organization/register',
          { organization_name: name, first_name: 'Mara', last_name: 'Trix', email, password: STRONG_PASSWORD },
          o,
        ),
      (r) => ({
        organizationId: r.body.organization_id,
        action: 'organization.registered',
        resourceType: 'organization',
        resourceId: r.body.organization_id,
        target: name,
        actor: { userId: r.body.user_id, email },
      }),
    );
    const me = { userId: reg.body.user_id as string, email, organizationId: reg.body.organization_id as string };

    const verified = await drive(
      'GET /auth/verify-email',
      async (o) => t.http.get(`/auth/verify-email?token=${tokenFrom(await mailbox.waitFor(email, /verify your email/i))}`, o),
      () => ({ ...inOrg(me), action: 'user.email_verified', resourceType: 'user', resourceId: me.userId, target: email, actor: user(me) }),
    );
    expect(verified.status).toBe(200);

    const login = await drive(
      'POST /auth/login',
      (o) => t.http.post('/auth/login', { email, password: STRONG_PASSWORD }, o),
      (r) => ({
        ...inOrg(me),
        action: 'session.created',
        resourceType: 'session',
        resourceId: sessionIdOf(r.body.access_token),
        target: DEVICE,
        actor: user(me),
      }),
    );
    const token = login.body.access_token as string;
    keep(token, login.body.refresh_token);

    await drive(
      'PUT /users/me',
      (o) => t.http.put('/users/me', { first_name: 'Audra' }, o),
      () => ({ ...inOrg(me), action: 'user.updated', resourceType: 'user', resourceId: me.userId, target: email, actor: user(me) }),
      { token },
    );

    const next = uniqueEmail('moved');
    await drive(
      'PUT /users/me',
      (o) => t.http.put('/users/me', { email: next, current_password: STRONG_PASSWORD }, o),
      () => ({
        ...inOrg(me),
        action: 'user.email_change_requested',
        resourceType: 'user',
        resourceId: me.userId,
        target: email,
        actor: user(me),
      }),
      { token },
    );
    // The link proves the new address; the entry names the account by it, as it is now called.
    await drive(
      'GET /auth/verify-email',
      async (o) => t.http.get(`/auth/verify-email?token=${tokenFrom(await mailbox.waitFor(next, /verify your email/i))}`, o),
      () => ({
        ...inOrg(me),
        action: 'user.email_changed',
        resourceType: 'user',
        resourceId: me.userId,
        target: next,
        actor: { userId: me.userId, email: next },
      }),
    );
    me.email = next;

    const second = await t.http.post(
      '/auth/login',
      { email: next, password: STRONG_PASSWORD },
      { headers: { 'user-agent': userAgent('2nd') } },
    );
    keep(second.body.access_token, second.body.refresh_token);
    const secondSession = sessionIdOf(second.body.access_token);
    await drive(
      'DELETE /auth/sessions/{id}',
      (o) => t.http.delete(`/auth/sessions/${secondSession}`, undefined, o),
      () => ({
        ...inOrg(me),
        action: 'session.revoked',
        resourceType: 'session',
        resourceId: secondSession,
        target: DEVICE,
        actor: user(me),
      }),
      { token },
    );

    const newPassword = 'Quiet-Orchard-58!';
    keep(newPassword);
    await drive(
      'PUT /users/me/change-password',
      (o) => t.http.put('/users/me/change-password', { current_password: STRONG_PASSWORD, new_password: newPassword }, o),
      () => ({ ...inOrg(me), action: 'user.password_changed', resourceType: 'user', resourceId: me.userId, target: next, actor: user(me) }),
      { token },
    );

    // A second organization, then the device moves to it.
    const other = `Second ${randomUUID().slice(0, 6)}`;
    const created = await drive(
      'POST /organizations',
      (o) => t.http.post('/organizations', { name: other }, o),
      (r) => ({
        organizationId: r.body.data.id,
        action: 'organization.created',
        resourceType: 'organization',
        resourceId: r.body.data.id,
        target: other,
        actor: user(me),
      }),
      { token },
    );
    const switched = await drive(
      'PUT /organizations/switch',
      (o) => t.http.put('/organizations/switch', { organization_id: created.body.data.id }, o),
      (r) => ({
        organizationId: created.body.data.id,
        action: 'session.created',
        resourceType: 'session',
        resourceId: sessionIdOf(r.body.access_token),
        target: DEVICE,
        actor: user(me),
      }),
      { token },
    );
    const switchedToken = switched.body.access_token as string;
    keep(switchedToken, switched.body.refresh_token);
    await drive(
      'POST /auth/logout',
      (o) => t.http.post('/auth/logout', {}, o),
      () => ({
        organizationId: created.body.data.id,
        action: 'session.ended',
        resourceType: 'session',
        resourceId: sessionIdOf(switchedToken),
        target: DEVICE,
        actor: user(me),
      }),
      { token: switchedToken },
    );

    // Mailed links: a password reset, then a magic sign-in link. Anonymous requests: the actor is the link's account.
    expect((await t.http.post('/auth/forgot-password', { email: next })).status).toBe(202);
    const resetToken = tokenFrom(await mailbox.waitFor(next, /reset your password/i));
    const resetPassword = 'Harbor-Lantern-97!';
    keep(resetToken, resetPassword);
    await drive(
      'POST /auth/reset-password',
      (o) => t.http.post('/auth/reset-password', { token: resetToken, new_password: resetPassword }, o),
      () => ({ ...inOrg(me), action: 'user.password_reset', resourceType: 'user', resourceId: me.userId, target: next, actor: user(me) }),
    );
    expect((await t.http.post('/auth/magic-link', { email: next })).status).toBe(202);
    const magic = tokenFrom(await mailbox.waitFor(next, /sign-in link/i));
    keep(magic);
    const linked = await drive(
      'POST /auth/magic-link/verify',
      (o) => t.http.post('/auth/magic-link/verify', { token: magic }, o),
      (r) => ({
        organizationId: r.body.organization.id,
        action: 'session.created',
        resourceType: 'session',
        resourceId: sessionIdOf(r.body.access_token),
        target: DEVICE,
        actor: user(me),
      }),
    );
    keep(linked.body.access_token, linked.body.refresh_token);
  });

  it('access: MFA set-up, sign-in, backup codes and disabling; API keys, and what a key does is signed with its name', async () => {
    const org = await registerOrg(t.http);
    keep(org.accessToken, org.refreshToken, org.password);
    const owner = { userId: org.userId, email: org.email, organizationId: org.organizationId };
    const as = { token: org.accessToken };

    const init = await drive(
      'POST /mfa/setup/initialize',
      (o) => t.http.post('/mfa/setup/initialize', {}, o),
      () => ({
        ...inOrg(owner),
        action: 'mfa.setup_started',
        resourceType: 'user',
        resourceId: org.userId,
        target: org.email,
        actor: user(owner),
      }),
      as,
    );
    const secret = init.body.data.secret as string;
    keep(secret);
    await midStep();
    const enabled = await drive(
      'POST /mfa/setup/verify',
      async (o) => t.http.post('/mfa/setup/verify', { code: await totp(secret, -1) }, o),
      () => ({
        ...inOrg(owner),
        action: 'mfa.enabled',
        resourceType: 'user',
        resourceId: org.userId,
        target: org.email,
        actor: user(owner),
      }),
      as,
    );
    const backupCodes = enabled.body.data.backup_codes as string[];
    keep(...backupCodes);
    const mfaLogin = await drive(
      'POST /auth/verify-mfa',
      async (o) => t.http.post('/auth/verify-mfa', { email: org.email, password: org.password, mfa_code: await totp(secret) }, o),
      (r) => ({
        ...inOrg(owner),
        action: 'session.created',
        resourceType: 'session',
        resourceId: sessionIdOf(r.body.access_token),
        target: DEVICE,
        actor: user(owner),
      }),
    );
    keep(mfaLogin.body.access_token, mfaLogin.body.refresh_token);
    const regenerated = await drive(
      'POST /mfa/backup-codes/regenerate',
      (o) => t.http.post('/mfa/backup-codes/regenerate', { code: backupCodes[0] }, o),
      () => ({
        ...inOrg(owner),
        action: 'mfa.backup_codes_regenerated',
        resourceType: 'user',
        resourceId: org.userId,
        target: org.email,
        actor: user(owner),
      }),
      as,
    );
    const fresh = regenerated.body.data.backup_codes as string[];
    keep(...fresh);
    await drive(
      'DELETE /mfa/disable',
      (o) => t.http.delete('/mfa/disable', { code: fresh[0] }, o),
      () => ({
        ...inOrg(owner),
        action: 'mfa.disabled',
        resourceType: 'user',
        resourceId: org.userId,
        target: org.email,
        actor: user(owner),
      }),
      as,
    );

    const keyName = `Deploy bot ${randomUUID().slice(0, 4)}`;
    const created = await drive(
      'POST /api-keys',
      (o) => t.http.post('/api-keys', { name: keyName, permissions: ['roles.view', 'roles.manage'] }, o),
      (r) => ({
        ...inOrg(owner),
        action: 'api_key.created',
        resourceType: 'api_key',
        resourceId: r.body.data.id,
        target: keyName,
        actor: user(owner),
      }),
      as,
    );
    const keyId = created.body.data.id as string;
    keep(created.body.data.key);
    const rotated = await drive(
      'POST /api-keys/{id}/rotate',
      (o) => t.http.post(`/api-keys/${keyId}/rotate`, {}, o),
      () => ({
        ...inOrg(owner),
        action: 'api_key.rotated',
        resourceType: 'api_key',
        resourceId: keyId,
        target: keyName,
        actor: user(owner),
      }),
      as,
    );
    const key = rotated.body.data.key as string;
    keep(key);

    // Roles, managed with the key: its entries name the key (id and name), not a person.
    const byKey = { apiKey: key };
    const keyActor: Actor = { apiKeyId: keyId, apiKeyName: keyName };
    const role = await drive(
      'POST /roles',
      (o) => t.http.post('/roles', { name: 'Night Shift', permissions: ['roles.view'] }, o),
      (r) => ({
        ...inOrg(owner),
        action: 'role.created',
        resourceType: 'role',
        resourceId: r.body.data.id,
        target: 'Night Shift',
        actor: keyActor,
      }),
      byKey,
    );
    const roleId = role.body.data.id as string;
    await drive(
      'PUT /roles/{id}',
      (o) => t.http.put(`/roles/${roleId}`, { name: 'Late Shift' }, o),
      () => ({ ...inOrg(owner), action: 'role.updated', resourceType: 'role', resourceId: roleId, target: 'Late Shift', actor: keyActor }),
      byKey,
    );
    await drive(
      'DELETE /roles/{id}',
      (o) => t.http.delete(`/roles/${roleId}`, undefined, o),
      () => ({ ...inOrg(owner), action: 'role.deleted', resourceType: 'role', resourceId: roleId, target: 'Late Shift', actor: keyActor }),
      byKey,
    );

    await drive(
      'POST /api-keys/{id}/revoke',
      (o) => t.http.post(`/api-keys/${keyId}/revoke`, {}, o),
      () => ({
        ...inOrg(owner),
        action: 'api_key.revoked',
        resourceType: 'api_key',
        resourceId: keyId,
        target: keyName,
        actor: user(owner),
      }),
      as,
    );
  });

  it('organization profile, settings and slug; members; invitations sent, resent, accepted and cancelled', async () => {
    const orgName = `Profile ${randomUUID().slice(0, 6)}`;
    const org = await registerOrg(t.http);
    keep(org.accessToken, org.refreshToken, org.password);
    const owner = { userId: org.userId, email: org.email, organizationId: org.organizationId };
    const as = { token: org.accessToken };
    const organization = (action: string, target: string): Expected => ({
      ...inOrg(owner),
      action,
      resourceType: 'organization',
      resourceId: org.organizationId,
      target,
      actor: user(owner),
    });

    await drive(
      'PUT /organizations/me',
      (o) => t.http.put('/organizations/me', { name: orgName }, o),
      () => organization('organization.updated', orgName),
      as,
    );
    await drive(
      'PUT /organizations/me/settings',
      (o) => t.http.put('/organizations/me/settings', { settings: { timezone: 'Europe/Berlin' } }, o),
      () => organization('organization.settings_updated', orgName),
      as,
    );
    await setPackage(t, org.organizationId, 'basic'); // a custom slug comes with Basic and up
    await drive(
      'PUT /organizations/me/slug',
      (o) => t.http.put('/organizations/me/slug', { slug: `profile-${randomUUID().slice(0, 8)}` }, o),
      () => organization('organization.slug_changed', orgName),
      as,
    );

    const memberEmail = uniqueEmail('staff');
    const member = await drive(
      'POST /users',
      (o) =>
        t.http.post('/users', { email: memberEmail, password: STRONG_PASSWORD, role: 'member', first_name: 'Sam', last_name: 'Staff' }, o),
      (r) => ({
        ...inOrg(owner),
        action: 'user.created',
        resourceType: 'user',
        resourceId: r.body.data.id,
        target: memberEmail,
        actor: user(owner),
      }),
      as,
    );
    const memberId = member.body.data.id as string;
    const aboutMember = (action: string): Expected => ({
      ...inOrg(owner),
      action,
      resourceType: 'user',
      resourceId: memberId,
      target: memberEmail,
      actor: user(owner),
    });
    await drive(
      'PUT /users/{id}',
      (o) => t.http.put(`/users/${memberId}`, { first_name: 'Samuel' }, o),
      () => aboutMember('user.updated'),
      as,
    );
    await drive(
      'PUT /users/{id}',
      (o) => t.http.put(`/users/${memberId}`, { role: 'manager' }, o),
      () => aboutMember('member.role_changed'),
      as,
    );
    await drive(
      'POST /users/{id}/revoke',
      (o) => t.http.post(`/users/${memberId}/revoke`, { reason: 'Contract ended' }, o),
      () => aboutMember('member.revoked'),
      as,
    );
    const leaverEmail = uniqueEmail('leaver');
    const leaver = await t.http.post('/users', { email: leaverEmail, password: STRONG_PASSWORD, role: 'member' }, as);
    expect(leaver.status).toBe(201);
    await drive(
      'DELETE /users/{id}',
      (o) => t.http.delete(`/users/${leaver.body.data.id}`, undefined, o),
      () => ({ ...aboutMember('member.revoked'), resourceId: leaver.body.data.id, target: leaverEmail }),
      as,
    );

    const guestEmail = uniqueEmail('guest');
    const invited = await drive(
      'POST /invitations',
      (o) => t.http.post('/invitations', { email: guestEmail }, o),
      (r) => ({
        ...inOrg(owner),
        action: 'invitation.created',
        resourceType: 'invitation',
        resourceId: r.body.data.id,
        target: guestEmail,
        actor: user(owner),
      }),
      as,
    );
    const invitationId = invited.body.data.id as string;
    await drive(
      'POST /invitations/resend/{id}',
      (o) => t.http.post(`/invitations/resend/${invitationId}`, {}, o),
      () => ({
        ...inOrg(owner),
        action: 'invitation.resent',
        resourceType: 'invitation',
        resourceId: invitationId,
        target: guestEmail,
        actor: user(owner),
      }),
      as,
    );
    const [, resent] = await waitForMails(mailbox, guestEmail, /^Join /, 2);
    const invitation = invitationToken(resent);
    keep(invitation);
    await drive(
      'POST /invitations/accept/{token}',
      (o) => t.http.post(`/invitations/accept/${invitation}`, { first_name: 'Gus', last_name: 'Guest', password: STRONG_PASSWORD }, o),
      (r) => ({
        ...inOrg(owner),
        action: 'invitation.accepted',
        resourceType: 'invitation',
        resourceId: invitationId,
        target: guestEmail,
        actor: { userId: r.body.data.user_id, email: guestEmail },
      }),
    );

    const droppedEmail = uniqueEmail('dropped');
    const dropped = await t.http.post('/invitations', { email: droppedEmail }, as);
    expect(dropped.status).toBe(201);
    await drive(
      'DELETE /invitations/{id}',
      (o) => t.http.delete(`/invitations/${dropped.body.data.id}`, undefined, o),
      () => ({
        ...inOrg(owner),
        action: 'invitation.deleted',
        resourceType: 'invitation',
        resourceId: dropped.body.data.id,
        target: droppedEmail,
        actor: user(owner),
      }),
      as,
    );
  });

  it('notification preferences and defaults; chats and their members; calls', async () => {
    const org = await registerOrg(t.http);
    keep(org.accessToken, org.refreshToken, org.password);
    const owner = { userId: org.userId, email: org.email, organizationId: org.organizationId };
    const as = { token: org.accessToken };
    await setPackage(t, org.organizationId, 'basic'); // calls come with Basic and up
    const [ann, bob] = [await createMember(t, org, 'member'), await createMember(t, org, 'member')];
    keep(ann.accessToken, ann.refreshToken, bob.accessToken, bob.refreshToken);

    await drive(
      'PUT /notifications/preferences',
      (o) => t.http.put('/notifications/preferences', { email_enabled: false, in_app_enabled: true }, o),
      () => ({
        ...inOrg(owner),
        action: 'notification_preferences.updated',
        resourceType: 'notification_preferences',
        resourceId: org.userId,
        target: org.email,
        actor: user(owner),
      }),
      as,
    );
    const orgName = (await t.http.get('/organizations/me', as)).body.data.name as string;
    await drive(
      'PUT /notifications/organization-defaults',
      (o) => t.http.put('/notifications/organization-defaults', { email_enabled: true, in_app_enabled: false }, o),
      () => ({
        ...inOrg(owner),
        action: 'notification_defaults.updated',
        resourceType: 'organization',
        resourceId: org.organizationId,
        target: orgName,
        actor: user(owner),
      }),
      as,
    );

    const chatEntry = (action: string, chatId: string, target: string | null): Expected => ({
      ...inOrg(owner),
      action,
      resourceType: 'chat',
      resourceId: chatId,
      target,
      actor: user(owner),
    });
    const chat = await drive(
      'POST /chats',
      (o) => t.http.post('/chats', { type: 'group', name: 'Launch room', member_ids: [ann.userId] }, o),
      (r) => chatEntry('chat.created', r.body.data.id, 'Launch room'),
      as,
    );
    const chatId = chat.body.data.id as string;
    await drive(
      'PUT /chats/{id}',
      (o) => t.http.put(`/chats/${chatId}`, { name: 'Launch' }, o),
      () => chatEntry('chat.updated', chatId, 'Launch'),
      as,
    );
    await drive(
      'POST /chats/{id}/members',
      (o) => t.http.post(`/chats/${chatId}/members`, { member_ids: [bob.userId] }, o),
      () => chatEntry('chat.member_added', chatId, 'Launch'),
      as,
    );
    await drive(
      'DELETE /chats/{id}/members/{memberId}',
      (o) => t.http.delete(`/chats/${chatId}/members/${bob.userId}`, undefined, o),
      () => chatEntry('chat.member_removed', chatId, 'Launch'),
      as,
    );
    const call = await drive(
      'POST /calls/chats/{chatId}',
      (o) => t.http.post(`/calls/chats/${chatId}`, { call_type: 'audio' }, o),
      (r) => ({
        ...inOrg(owner),
        action: 'call.started',
        resourceType: 'call',
        resourceId: r.body.data.id,
        target: 'Launch',
        actor: user(owner),
      }),
      as,
    );
    await drive(
      'POST /calls/{id}/end',
      (o) => t.http.post(`/calls/${call.body.data.id}/end`, {}, o),
      () => ({
        ...inOrg(owner),
        action: 'call.ended',
        resourceType: 'call',
        resourceId: call.body.data.id,
        target: 'Launch',
        actor: user(owner),
      }),
      as,
    );
    await drive(
      'POST /chats/{id}/leave',
      (o) => t.http.post(`/chats/${chatId}/leave`, {}, o),
      () => ({ ...chatEntry('chat.member_left', chatId, 'Launch'), actor: { userId: ann.userId, email: ann.email } }),
      { token: ann.accessToken },
    );
    await drive(
      'DELETE /chats/{id}',
      (o) => t.http.delete(`/chats/${chatId}`, undefined, o),
      () => chatEntry('chat.deleted', chatId, 'Launch'),
      as,
    );
  });

  it('keeps no password, token, key, MFA secret or backup code in any entry the routes wrote', async () => {
    const rows = await db(t).query<Array<Pick<Row, 'action' | 'target' | 'before' | 'after' | 'metadata'>>>(
      `SELECT action, target, before, after, metadata FROM audit_logs WHERE request_id = ANY($1)`,
      [requestIds],
    );
    expect(rows.length).toBeGreaterThanOrEqual(requestIds.length);
    expect(secrets.size).toBeGreaterThan(20);
    const text = JSON.stringify(rows);
    for (const secret of secrets) expect(text, 'a secret in the audit trail').not.toContain(secret);
    expect(text).not.toContain('$argon2');
  });

  it('drives every mutating route of these features, or says why it writes no entry', async () => {
    const features = new Set(['auth', 'users', 'mfa', 'api-keys', 'organizations', 'roles', 'invitations']);
    const mutating = (await apiRoutes(t))
      .filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && r.tags.some((tag) => features.has(tag)))
      .map((r) => r.key);
    expect(mutating.length).toBeGreaterThan(30);
    const unaccounted = mutating.filter((route) => !driven.has(route) && !(route in NO_ENTRY));
    expect(unaccounted).toEqual([]);
    // Every exemption names a route that exists.
    expect(Object.keys(NO_ENTRY).filter((route) => !mutating.includes(route))).toEqual([]);
  });
});

function inOrg(u: { organizationId: string }): { organizationId: string } {
  return { organizationId: u.organizationId };
}

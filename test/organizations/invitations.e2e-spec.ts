import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { Mailbox } from '../support/mailbox.js';
import { outboxEvents } from '../support/outbox.js';
import { createMember, dataSource, invitationToken, markEmailVerified, STRONG_PASSWORD, uniqueEmail } from '../support/members.js';
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

const GHOST = '00000000-0000-4000-8000-000000000000';
const UNKNOWN_TOKEN = 'A'.repeat(43);

async function roleId(org: RegisteredOrg, slug: string): Promise<string> {
  return (await t.http.get('/roles', { token: org.accessToken })).body.data.find((r: any) => r.slug === slug).id;
}

/** Invites `email` and returns the invitation and the token from the mail that arrived. */
async function invite(org: RegisteredOrg, email: string, body: Record<string, unknown> = {}) {
  const res = await t.http.post('/invitations', { email, ...body }, { token: org.accessToken });
  if (res.status !== 201) throw new Error(`invite failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { invitation: res.body.data, token: await nextInvitationMail(email, invitationMails(email).length) };
}

const invitationMails = (email: string) => mailbox.messages.filter((m) => m.to.includes(email) && /^Join /.test(m.subject));

/** The token of invitation mail number `index` (0-based) to `email`, waiting for it. */
async function nextInvitationMail(email: string, index: number): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (invitationMails(email).length <= index) {
    if (Date.now() > deadline) throw new Error(`no invitation mail #${index} to ${email}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return invitationToken(invitationMails(email)[index]);
}

describe('sending and listing invitations', () => {
  it('mails a link to the public URL; the list and the invitation never show the token', async () => {
    const org = await registerOrg(t.http, { organization_name: 'Invite Co' });
    const email = uniqueEmail('invitee');
    const managerId = await roleId(org, 'manager');
    const res = await t.http.post('/invitations', { email: email.toUpperCase(), role_id: managerId }, { token: org.accessToken });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      email,
      role: { id: managerId, slug: 'manager' },
      status: 'pending',
      invited_by: org.userId,
      accepted_at: null,
    });
    const days = (Date.parse(res.body.data.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);

    const mail = await mailbox.waitFor(email, /Join Invite Co/);
    expect(mail.text).toMatch(/http:\/\/atrium\.test\/invitations\/accept\?token=[A-Za-z0-9_-]{43}/);
    expect(mail.text).toMatch(/Olive Owner invited you/);
    const token = invitationToken(mail);

    const list = await t.http.get('/invitations', { token: org.accessToken });
    expect(list.body).toMatchObject({ total: 1, page: 1, limit: 10, totalPages: 1 });
    const one = await t.http.get(`/invitations/${res.body.data.id}`, { token: org.accessToken });
    expect(one.body.data).toEqual(res.body.data);
    expect(JSON.stringify([res.body, list.body, one.body])).not.toContain(token);
    const [row] = await dataSource(t).query(`SELECT token_hash FROM invitations WHERE id = $1`, [res.body.data.id]);
    expect(row.token_hash).not.toBe(token);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('uses the default role when none is named, and filters the list by status', async () => {
    const org = await registerOrg(t.http);
    const { invitation } = await invite(org, uniqueEmail());
    expect(invitation.role.slug).toBe('member');
    const old = await invite(org, uniqueEmail());
    await dataSource(t).query(`UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = $1`, [old.invitation.id]);
    expect((await t.http.get('/invitations?status=pending', { token: org.accessToken })).body.data.map((i: any) => i.id)).toEqual([
      invitation.id,
    ]);
    const expired = await t.http.get('/invitations?status=expired', { token: org.accessToken });
    expect(expired.body.data).toEqual([expect.objectContaining({ id: old.invitation.id, status: 'expired' })]);
    expect((await t.http.get('/invitations?status=accepted', { token: org.accessToken })).body.total).toBe(0);
    expect((await t.http.get('/invitations?status=lost', { token: org.accessToken })).status).toBe(400);
  });

  it('replaces an open invitation to the same address: the earlier link stops working', async () => {
    const org = await registerOrg(t.http);
    const email = uniqueEmail('twice');
    const first = await invite(org, email);
    const second = await invite(org, email, { role_id: await roleId(org, 'manager') });
    expect(second.token).not.toBe(first.token);
    expect((await t.http.get('/invitations', { token: org.accessToken })).body.data.map((i: any) => i.id)).toEqual([second.invitation.id]);
    expect((await t.http.get(`/invitations/token/${first.token}`)).status).toBe(404);
    expect((await t.http.get(`/invitations/token/${second.token}`)).body.data.role.slug).toBe('manager');
  });

  it('refuses an existing member (409), bad input (400), an unknown role (404), a role beyond the caller (403)', async () => {
    const org = await registerOrg(t.http);
    const admin = await createMember(t, org, 'admin');
    const member = await t.http.post('/invitations', { email: admin.email }, { token: org.accessToken });
    expect(member.status).toBe(409);
    expect(member.body.code).toBe('already_member');
    const bad = await t.http.post('/invitations', { email: 'nope', role_id: 7, extra: 1 }, { token: org.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.field).sort()).toEqual(['email', 'extra', 'role_id']);
    expect((await t.http.post('/invitations', { email: uniqueEmail(), role_id: GHOST }, { token: org.accessToken })).status).toBe(404);
    const beyond = await t.http.post(
      '/invitations',
      { email: uniqueEmail(), role_id: await roleId(org, 'owner') },
      { token: admin.accessToken },
    );
    expect(beyond.status).toBe(403);
    expect(beyond.body.code).toBe('permission_not_held');
  });

  it('needs invitations.manage to invite and invitations.view to list', async () => {
    const org = await registerOrg(t.http);
    const member = await createMember(t, org, 'member');
    expect((await t.http.post('/invitations', { email: uniqueEmail() }, { token: member.accessToken })).status).toBe(403);
    expect((await t.http.get('/invitations', { token: member.accessToken })).status).toBe(403);
  });
});

describe('the public link', () => {
  it('shows organization, email, role and expiry without signing in', async () => {
    const org = await registerOrg(t.http, { organization_name: 'Preview Co' });
    const email = uniqueEmail();
    const { invitation, token } = await invite(org, email);
    const res = await t.http.get(`/invitations/token/${token}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      organization_name: 'Preview Co',
      email,
      role: expect.objectContaining({ slug: 'member' }),
      expires_at: invitation.expires_at,
      account_exists: false,
    });
  });

  it('answers 404 for malformed and unknown tokens', async () => {
    for (const token of ['abc', UNKNOWN_TOKEN, `${UNKNOWN_TOKEN}x`, '%20']) {
      const preview = await t.http.get(`/invitations/token/${token}`);
      expect(preview.status, token).toBe(404);
      expect(preview.body.code).toBe('invitation_not_found');
      const accept = await t.http.post(`/invitations/accept/${token}`, { first_name: 'A', last_name: 'B', password: STRONG_PASSWORD });
      expect(accept.status, token).toBe(404);
    }
  });

  it('answers 409 once expired, and accepting then creates nothing', async () => {
    const org = await registerOrg(t.http);
    const email = uniqueEmail('late');
    const { invitation, token } = await invite(org, email);
    await dataSource(t).query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [invitation.id]);
    const preview = await t.http.get(`/invitations/token/${token}`);
    expect(preview.status).toBe(409);
    expect(preview.body.code).toBe('invitation_expired');
    const accept = await t.http.post(`/invitations/accept/${token}`, { first_name: 'L', last_name: 'Ate', password: STRONG_PASSWORD });
    expect(accept.body.code).toBe('invitation_expired');
    expect((await t.http.post('/auth/login', { email, password: STRONG_PASSWORD })).status).toBe(401);
    const stats = await t.http.get('/organizations/me/stats', { token: org.accessToken });
    expect(stats.body.data.pending_invitations).toBe(0);
  });
});

describe('accepting', () => {
  it('creates the account (email verified) and the membership; the link works once', async () => {
    const org = await registerOrg(t.http, { organization_name: 'Joinery Ltd' });
    const email = uniqueEmail('joiner');
    const { invitation, token } = await invite(org, email, { role_id: await roleId(org, 'manager') });
    const accepted = () => outboxEvents(t, 'invitation.accepted', 'invitation_id', invitation.id);

    const missing = await t.http.post(`/invitations/accept/${token}`, { first_name: 'Jane' });
    expect(missing.status).toBe(400);
    expect(missing.body.details.map((d: any) => d.field)).toEqual(['last_name', 'password']);
    const weak = await t.http.post(`/invitations/accept/${token}`, { first_name: 'Jane', last_name: 'Doe', password: 'password' });
    expect(weak.body.code).toBe('weak_password');

    const res = await t.http.post(`/invitations/accept/${token}`, { first_name: 'Jane', last_name: 'Doe', password: STRONG_PASSWORD });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ organization_id: org.organizationId, role: { slug: 'manager' }, account_created: true });
    // Only the acceptance that succeeded is announced, naming whom the inviter's notification goes to.
    expect(await accepted()).toEqual([
      {
        organization_id: org.organizationId,
        actor_id: res.body.data.user_id,
        payload: {
          invitation_id: invitation.id,
          user_id: res.body.data.user_id,
          email,
          organization_id: org.organizationId,
          organization_name: 'Joinery Ltd',
          role_name: 'Manager',
          invited_by: org.userId,
        },
      },
    ]);
    const login = await t.http.post('/auth/login', { email, password: STRONG_PASSWORD });
    expect(login.body.user).toMatchObject({ first_name: 'Jane', email_verified: true });
    expect(login.body.organization).toMatchObject({ id: org.organizationId, role: { slug: 'manager' } });

    const reuse = await t.http.post(`/invitations/accept/${token}`, { first_name: 'Jane', last_name: 'Doe', password: STRONG_PASSWORD });
    expect(reuse.status).toBe(409);
    expect(reuse.body.code).toBe('invitation_used');
    expect(await accepted()).toHaveLength(1);
    expect((await t.http.get(`/invitations/token/${token}`)).body.code).toBe('invitation_used');
    expect((await t.http.get('/invitations?status=accepted', { token: org.accessToken })).body.data[0].accepted_at).toBeTruthy();
  });

  it('adds an existing account only when it is signed in as the invited email', async () => {
    const org = await registerOrg(t.http, { organization_name: 'Host Co' });
    const guest = await registerOrg(t.http);
    const stranger = await registerOrg(t.http);
    const { token } = await invite(org, guest.email);
    expect((await t.http.get(`/invitations/token/${token}`)).body.data.account_exists).toBe(true);
    await markEmailVerified(t, guest.userId);

    const anonymous = await t.http.post(`/invitations/accept/${token}`, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('sign_in_to_accept');
    const wrong = await t.http.post(`/invitations/accept/${token}`, {}, { token: stranger.accessToken });
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('invitation_for_another_account');

    const ok = await t.http.post(`/invitations/accept/${token}`, {}, { token: guest.accessToken });
    expect(ok.status).toBe(201);
    expect(ok.body.data).toMatchObject({ user_id: guest.userId, organization_name: 'Host Co', account_created: false });
    const orgs = await t.http.get('/organizations', { token: guest.accessToken });
    expect(orgs.body.data.map((o: any) => o.name)).toContain('Host Co');
    const password = await t.http.post('/auth/login', {
      email: guest.email,
      password: guest.password,
      organization_id: org.organizationId,
    });
    expect(password.status).toBe(200);
  });

  it('brings back a revoked member with the invited role', async () => {
    const org = await registerOrg(t.http);
    const member = await createMember(t, org, 'member');
    await t.http.post(`/users/${member.userId}/revoke`, { reason: 'pause' }, { token: org.accessToken });
    const { token } = await invite(org, member.email, { role_id: await roleId(org, 'manager') });
    const login = await t.http.post('/auth/login', { email: member.email, password: STRONG_PASSWORD });
    expect(login.status).toBe(403);
    const home = await registerOrg(t.http);
    await dataSource(t).query(
      `INSERT INTO memberships (organization_id, user_id, role_id) SELECT $1, $2, id FROM roles WHERE organization_id = $1 AND slug = 'member'`,
      [home.organizationId, member.userId],
    );
    const signedIn = await t.http.post('/auth/login', { email: member.email, password: STRONG_PASSWORD });
    await markEmailVerified(t, member.userId);
    const res = await t.http.post(`/invitations/accept/${token}`, {}, { token: signedIn.body.access_token });
    expect(res.status).toBe(201);
    const back = await t.http.get(`/users/${member.userId}`, { token: org.accessToken });
    expect(back.body.data).toMatchObject({
      role: { slug: 'manager' },
      membership: { status: 'active', revoke_reason: null, revoked_at: null },
    });
  });

  it('refuses an invitation that would pass the member limit when accepted', async () => {
    const org = await registerOrg(t.http);
    const { token } = await invite(org, uniqueEmail('squeezed'));
    for (let i = 0; i < 3; i++) await createMember(t, org, 'member');
    // Free allows 5 (owner, 3 members, this invitation); a member added behind the API's back leaves no seat for it.
    const extra = await registerOrg(t.http);
    await dataSource(t).query(
      `INSERT INTO memberships (organization_id, user_id, role_id) SELECT $1, $2, id FROM roles WHERE organization_id = $1 AND slug = 'member'`,
      [org.organizationId, extra.userId],
    );
    const res = await t.http.post(`/invitations/accept/${token}`, { first_name: 'S', last_name: 'Q', password: STRONG_PASSWORD });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('package_limit_reached');
    expect((await t.http.get(`/invitations/token/${token}`)).status).toBe(200);
  });
});

describe('resending and cancelling', () => {
  it('resend mails a fresh link for seven more days; the old link stops working', async () => {
    const org = await registerOrg(t.http);
    const email = uniqueEmail('again');
    const { invitation, token } = await invite(org, email);
    await dataSource(t).query(`UPDATE invitations SET expires_at = now() - interval '1 day' WHERE id = $1`, [invitation.id]);
    const res = await t.http.post(`/invitations/resend/${invitation.id}`, {}, { token: org.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data.status).toBe('pending');
    const fresh = await nextInvitationMail(email, 1);
    expect(fresh).not.toBe(token);
    expect((await t.http.get(`/invitations/token/${token}`)).status).toBe(404);
    expect((await t.http.get(`/invitations/token/${fresh}`)).status).toBe(200);
  });

  it('DELETE cancels: the link and the invitation are gone', async () => {
    const org = await registerOrg(t.http);
    const { invitation, token } = await invite(org, uniqueEmail());
    expect((await t.http.delete(`/invitations/${invitation.id}`, undefined, { token: org.accessToken })).status).toBe(204);
    expect((await t.http.get(`/invitations/token/${token}`)).status).toBe(404);
    expect((await t.http.get(`/invitations/${invitation.id}`, { token: org.accessToken })).status).toBe(404);
    expect((await t.http.delete(`/invitations/${invitation.id}`, undefined, { token: org.accessToken })).status).toBe(404);
    const [audit] = await dataSource(t).query(
      `SELECT before FROM audit_logs WHERE organization_id = $1 AND action = 'invitation.deleted'`,
      [org.organizationId],
    );
    expect(audit.before).toMatchObject({ status: 'pending' });
  });

  it('resend refuses an accepted invitation', async () => {
    const org = await registerOrg(t.http);
    const { invitation, token } = await invite(org, uniqueEmail());
    await t.http.post(`/invitations/accept/${token}`, { first_name: 'A', last_name: 'B', password: STRONG_PASSWORD });
    const res = await t.http.post(`/invitations/resend/${invitation.id}`, {}, { token: org.accessToken });
    expect(res.status).toBe(409);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg } from '../support/factories.js';
import { Mailbox } from '../support/mailbox.js';
import { dataSource, invitationToken, markEmailVerified, signIn } from '../support/members.js';
import { registerWithMfa } from '../support/security.js';
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

/** The raw download: the body as text, so secrets can be searched for in what was actually sent. */
async function download(token: string) {
  const res = await fetch(`${t.url}/api/v1/users/me/download-data`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('GET /users/me/download-data', () => {
  it('streams every section about the caller as a JSON attachment, without any secret', async () => {
    const user = await registerWithMfa(t);
    const host = await registerOrg(t.http, { organization_name: 'Host Org' });
    await t.http.post('/invitations', { email: user.email }, { token: host.accessToken });
    const invitation = invitationToken(await mailbox.waitFor(user.email, /Join Host Org/));
    await markEmailVerified(t, user.userId);
    expect((await t.http.post(`/invitations/accept/${invitation}`, {}, { token: user.accessToken })).status).toBe(201);
    const apiKey = (await t.http.post('/api-keys', { name: 'Export check' }, { token: user.accessToken })).body.data;
    await t.http.put('/users/me', { first_name: 'Exported' }, { token: user.accessToken });

    const res = await download(user.accessToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="atrium-data-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');

    const doc = JSON.parse(res.text);
    expect(Object.keys(doc)).toEqual([
      'format',
      'generated_at',
      'profile',
      'memberships',
      'sessions',
      'api_keys',
      'audit_trail',
      'chats',
      'documents',
      'invitations',
      'mfa',
      'notifications',
    ]);
    expect(doc.profile).toMatchObject({ id: user.userId, email: user.email, first_name: 'Exported' });
    expect(doc.memberships).toEqual([
      expect.objectContaining({ organization_id: user.organizationId, role: expect.objectContaining({ slug: 'owner' }), status: 'active' }),
      expect.objectContaining({ organization_name: 'Host Org', role: expect.objectContaining({ slug: 'member' }), status: 'active' }),
    ]);
    expect(doc.sessions.length).toBeGreaterThanOrEqual(1);
    expect(doc.sessions[0]).toEqual(
      expect.objectContaining({ id: expect.any(String), device: expect.any(String), ip: expect.any(String) }),
    );
    expect(doc.mfa).toEqual({ enabled: true, enabled_at: expect.any(String), backup_codes_remaining: 10 });
    expect(doc.api_keys).toEqual([expect.objectContaining({ id: apiKey.id, name: 'Export check', prefix: apiKey.prefix })]);
    expect(doc.invitations).toEqual([
      expect.objectContaining({ organization_name: 'Host Org', email: user.email, accepted_at: expect.any(String) }),
    ]);
    expect(doc.audit_trail.map((a: any) => a.action)).toEqual(expect.arrayContaining(['api_key.created', 'invitation.accepted']));

    const secrets = [user.password, user.secret, ...user.backupCodes, user.refreshToken, user.accessToken, apiKey.key, invitation];
    for (const secret of secrets) expect(res.text).not.toContain(secret);
    // No field holds a secret (notification texts may say "change your password": words, not keys).
    expect(res.text).not.toMatch(/"[a-z_]*(password|hash|secret)[a-z_]*"\s*:/i);
    expect(res.text).not.toMatch(/\$argon2/);
  });

  it('lists ended sessions too, with why they ended', async () => {
    const user = await registerOrg(t.http);
    const other = await signIn(t, user.email, user.password);
    await t.http.post('/auth/logout', {}, { token: other.accessToken });
    const doc = JSON.parse((await download(user.accessToken)).text);
    expect(doc.sessions.map((s: any) => s.revoke_reason)).toEqual(expect.arrayContaining([null, 'logout']));
  });

  it('pages through many sessions without losing or repeating one', async () => {
    const user = await registerOrg(t.http);
    // Microsecond-apart timestamps and ties: the paging cursor must use PostgreSQL's own precision.
    await dataSource(t).query(
      `INSERT INTO sessions (user_id, organization_id, expires_at, created_at)
       SELECT $1, $2, now() + interval '1 day', now() - (g / 3) * interval '1 microsecond' FROM generate_series(1, 1234) g`,
      [user.userId, user.organizationId],
    );
    const doc = JSON.parse((await download(user.accessToken)).text);
    const ids = doc.sessions.map((s: any) => s.id);
    expect(ids).toHaveLength(1235);
    expect(new Set(ids).size).toBe(1235);
  });

  it('is for signed-in users only', async () => {
    const user = await registerOrg(t.http);
    expect((await t.http.get('/users/me/download-data')).status).toBe(401);
    const key = (await t.http.post('/api-keys', { name: 'k' }, { token: user.accessToken })).body.data.key;
    const res = await t.http.get('/users/me/download-data', { apiKey: key });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('user_session_required');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, type RegisteredOrg, STRONG_PASSWORD, uniqueEmail } from '../support/factories.js';
import { Mailbox } from '../support/mailbox.js';
import { invitationToken } from '../support/members.js';
import { tokenFrom } from '../support/security.js';
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

/** The `invitations` section of the caller's GDPR export. */
async function exportedInvitations(org: RegisteredOrg): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${t.url}/api/v1/users/me/download-data`, { headers: { authorization: `Bearer ${org.accessToken}` } });
  expect(res.status).toBe(200);
  return (JSON.parse(await res.text()) as { invitations: Array<Record<string, unknown>> }).invitations;
}

/** An organization named `name` invites `email`; returns the inviting organization and the token mailed. */
async function invite(name: string, email: string): Promise<{ host: RegisteredOrg; token: string }> {
  const host = await registerOrg(t.http, { organization_name: name });
  expect((await t.http.post('/invitations', { email }, { token: host.accessToken })).status).toBe(201);
  return { host, token: invitationToken(await mailbox.waitFor(email, new RegExp(`Join ${name}`))) };
}

describe('invitations are matched by verified address or by the account that accepted them', () => {
  it('an email change to an invited address shows nothing of the invitation, and the invitee can still accept it', async () => {
    const victim = uniqueEmail('invitee');
    const { token } = await invite('Secret Plans Ltd', victim);
    const squatter = await registerOrg(t.http);
    const change = await t.http.put('/users/me', { email: victim, current_password: squatter.password }, { token: squatter.accessToken });
    expect(change.status).toBe(200);

    const seen = await exportedInvitations(squatter);
    expect(JSON.stringify(seen)).not.toContain('Secret Plans Ltd');
    expect(seen).toEqual([]);

    const accepted = await t.http.post(`/invitations/accept/${token}`, {
      first_name: 'Ivy',
      last_name: 'Invitee',
      password: STRONG_PASSWORD,
    });
    expect(accepted.status).toBe(201);
    expect(accepted.body.data).toMatchObject({ organization_name: 'Secret Plans Ltd', account_created: true });
  });

  it('an account registered with an invited address neither sees nor claims the invitation until it verifies the address', async () => {
    const address = uniqueEmail('early');
    const { token } = await invite('Quiet Holdings', address);
    const account = await registerOrg(t.http, { email: address });

    expect(JSON.stringify(await exportedInvitations(account))).not.toContain('Quiet Holdings');
    const claimed = await t.http.post(`/invitations/accept/${token}`, {}, { token: account.accessToken });
    expect(claimed.status).toBe(403);
    expect(claimed.body.code).toBe('email_not_verified');
    const anonymous = await t.http.post(`/invitations/accept/${token}`, { first_name: 'A', last_name: 'B', password: STRONG_PASSWORD });
    expect(anonymous.status).toBe(409);
    expect(anonymous.body.code).toBe('email_held_unverified');
    const orgs = await t.http.get('/organizations', { token: account.accessToken });
    expect(orgs.body.data.map((o: { name: string }) => o.name)).not.toContain('Quiet Holdings');

    // Proving the address makes it theirs: now they see the invitation and may accept it.
    const verify = tokenFrom(await mailbox.waitFor(address, /verify your email/i));
    expect((await t.http.get(`/auth/verify-email?token=${verify}`)).status).toBe(200);
    expect(await exportedInvitations(account)).toEqual([expect.objectContaining({ organization_name: 'Quiet Holdings', email: address })]);
    const ok = await t.http.post(`/invitations/accept/${token}`, {}, { token: account.accessToken });
    expect(ok.status).toBe(201);
    expect(ok.body.data).toMatchObject({ user_id: account.userId, account_created: false });
  });
});

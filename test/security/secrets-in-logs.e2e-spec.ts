import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue, payOnCheckoutPage, upgradePayment } from '../support/billing.js';
import { createProvider, sendSigned, unlimitedProviders } from '../support/integrations.js';
import { midStep, tokenFrom, totp } from '../support/security.js';
import { registerOrg } from '../support/factories.js';
import { LogCapture } from '../support/log-capture.js';
import { Mailbox } from '../support/mailbox.js';
import { invitationToken, STRONG_PASSWORD, uniqueEmail } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import type { HttpResponse } from '../support/http-client.js';

let t: TestApp;
let mailbox: Mailbox;
const logs = new LogCapture();

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  t = await startTestApp({ SMTP_URL: mailbox.url, LOG_LEVEL: 'info' }, { logDestination: logs });
});
afterAll(async () => {
  await t?.close();
  await mailbox?.stop();
});

/** The access line of a response: written once the response has finished, so wait for it. */
const accessLine = (res: HttpResponse) => logs.waitFor((e) => e.requestId === res.headers.get('x-request-id') && e.msg === 'request');

describe('tokens in the access log', () => {
  it('logs the route template for token-bearing paths, never the token, and no query string', async () => {
    const org = await registerOrg(t.http);
    const email = uniqueEmail('logged');
    expect((await t.http.post('/invitations', { email }, { token: org.accessToken })).status).toBe(201);
    const token = invitationToken(await mailbox.waitFor(email, /^Join /));
    const verifyToken = /verify-email\?token=([A-Za-z0-9_-]+)/.exec((await mailbox.waitFor(org.email, /Verify/)).text)![1];

    const shown = await t.http.get(`/invitations/token/${token}`);
    expect(shown.status).toBe(200);
    // No GET route for acceptance: nothing matched, so the path itself is logged, its token redacted.
    const unmatched = await t.http.get(`/invitations/accept/${token}?token=${token}`);
    expect(unmatched.status).toBe(404);
    const accepted = await t.http.post(`/invitations/accept/${token}`, {
      first_name: 'Lou',
      last_name: 'Logged',
      password: STRONG_PASSWORD,
    });
    expect(accepted.status).toBe(201);
    const verified = await t.http.get(`/auth/verify-email?token=${verifyToken}`);
    expect(verified.status).toBe(200);

    const [shownLine, unmatchedLine, acceptedLine, verifiedLine] = await Promise.all(
      [shown, unmatched, accepted, verified].map(accessLine),
    );
    const everything = logs.lines.join('');
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(verifyToken);
    expect(everything).not.toContain('?token');

    expect(shownLine).toMatchObject({ method: 'GET', path: '/api/v1/invitations/token/:token', status: 200 });
    expect(unmatchedLine).toMatchObject({ method: 'GET', path: '/api/v1/invitations/accept/[redacted]', status: 404 });
    expect(acceptedLine).toMatchObject({ method: 'POST', path: '/api/v1/invitations/accept/:token', status: 201 });
    expect(verifiedLine).toMatchObject({ method: 'GET', path: '/api/v1/auth/verify-email', status: 200 });
  });
});

/**
 * The attack matrix's "secrets in logs": every kind of secret the API handles — passwords (right, wrong, new), access
 * and refresh tokens, API keys (live, malformed, rotated), TOTP secrets and backup codes, webhook secrets (created,
 * rotated, signing a delivery), the sandbox checkout token and a card number, reset and magic-link tokens — driven
 * through its routes, including the failing paths, by an app logging at its most verbose level; then the whole log
 * is searched for each of them.
 */
describe('every secret a request carries, at the most verbose log level', () => {
  let verbose: TestApp;
  const trace = new LogCapture();

  beforeAll(async () => {
    verbose = await startTestApp({ SMTP_URL: mailbox.url, LOG_LEVEL: 'trace' }, { logDestination: trace });
  });
  afterAll(async () => {
    await verbose?.close();
  });

  it('writes none of them, while logging every request', async () => {
    const http = verbose.http;
    const secrets: Record<string, string> = {};
    const password = `Pass-${randomUUID()}!`;
    const org = await registerOrg(http, { password });
    Object.assign(secrets, { password, access_token: org.accessToken, refresh_token: org.refreshToken });

    // Passwords: a wrong one, a change, a weak one refused.
    secrets.wrong_password = `Wrong-${randomUUID()}!`;
    expect((await http.post('/auth/login', { email: org.email, password: secrets.wrong_password })).status).toBe(401);
    secrets.new_password = `New-${randomUUID()}!`;
    expect(
      (
        await http.put(
          '/users/me/change-password',
          { current_password: password, new_password: secrets.new_password },
          { token: org.accessToken },
        )
      ).status,
    ).toBeLessThan(300);
    secrets.refused_password = `short${randomUUID().slice(0, 2)}`;
    expect((await http.post('/auth/organization/register', { email: uniqueEmail(), password: secrets.refused_password })).status).toBe(400);
    const signedIn = await http.post('/auth/login', { email: org.email, password: secrets.new_password });
    const token = signedIn.body.access_token as string;
    secrets.access_token_2 = token;
    const refreshed = await http.post('/auth/refresh', { refresh_token: signedIn.body.refresh_token });
    Object.assign(secrets, { refresh_token_2: signedIn.body.refresh_token, refresh_token_3: refreshed.body.refresh_token });

    // API keys: created, used, used malformed, rotated.
    const key = (await http.post('/api-keys', { name: 'Logged key' }, { token })).body.data;
    secrets.api_key = key.key;
    expect((await http.get('/api-keys/current', { apiKey: key.key })).status).toBe(200);
    expect((await http.get('/api-keys/current', { apiKey: `${key.key}x` })).status).toBe(401);
    secrets.api_key_rotated = (await http.post(`/api-keys/${key.id}/rotate`, {}, { token })).body.data.key;

    // TOTP: the secret and the backup codes.
    const init = await http.post('/mfa/setup/initialize', {}, { token });
    secrets.totp_secret = init.body.data.secret;
    await midStep();
    const enabled = await http.post('/mfa/setup/verify', { code: await totp(secrets.totp_secret, -1) }, { token });
    (enabled.body.data.backup_codes as string[]).forEach((c, i) => (secrets[`backup_code_${i}`] = c));

    // Payments: the sandbox checkout token and a card number typed on its page.
    const ids = await catalogue(verbose);
    const { res: payment } = await upgradePayment(verbose, token, { package_id: ids.pkg.basic, period: '1_year' });
    // PUBLIC_URL is a name only the browser of a real deployment resolves: the same path on this app.
    const checkoutUrl = (payment.body.data.checkout_url as string).replace(/^https?:\/\/[^/]+/, verbose.url);
    secrets.checkout_token = checkoutUrl.split('/').pop()!;
    secrets.card_number = '4000000000000002';
    expect((await payOnCheckoutPage(checkoutUrl, secrets.card_number)).html).toMatch(/declined|failed/i);

    // Webhook secrets: created, signing a delivery, a wrong signature, rotated.
    await unlimitedProviders(verbose, org.organizationId);
    const provider = await createProvider(verbose, { accessToken: token }, { name: 'logged-svc', signature_scheme: 'hmac-sha256' });
    secrets.webhook_secret = provider.secret;
    const path = `/webhooks/${org.organizationId}/logged-svc`;
    expect((await sendSigned(verbose, path, 'hmac-sha256', provider.secret, { event_id: randomUUID(), type: 'logged' })).status).toBe(200);
    expect((await sendSigned(verbose, path, 'hmac-sha256', 'not-the-secret-at-all-0000000000', { event_id: randomUUID() })).status).toBe(
      401,
    );
    secrets.webhook_secret_rotated = (
      await http.post(`/integrations/providers/${provider.id}/rotate-secret`, {}, { token })
    ).body.data.secret;

    // Mailed links: a password reset and a magic link, each used with its token in the body.
    await http.post('/auth/forgot-password', { email: org.email });
    await http.post('/auth/magic-link', { email: org.email });
    secrets.reset_token = tokenFrom(await mailbox.waitFor(org.email, /reset/i));
    secrets.magic_link_token = tokenFrom(await mailbox.waitFor(org.email, /sign[- ]in/i));
    await http.post('/auth/magic-link/verify', { token: secrets.magic_link_token });
    await http.post('/auth/reset-password', { token: secrets.reset_token, password: `Reset-${randomUUID()}!` });

    const everything = trace.lines.join('');
    expect(trace.entries().filter((e) => e.msg === 'request').length).toBeGreaterThan(20);
    for (const [kind, secret] of Object.entries(secrets)) {
      expect(secret, kind).toBeTruthy();
      expect(everything.includes(secret), `${kind} in the log`).toBe(false);
      // Nor its distinctive half (a log that truncates a secret still leaks what it kept).
      expect(everything.includes(secret.slice(-16)), `the end of ${kind} in the log`).toBe(false);
    }
  });
});

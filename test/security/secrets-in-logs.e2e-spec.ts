import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

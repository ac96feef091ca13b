import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNothingChanged, organizationFootprint, rows } from '../support/attack.js';
import { insertChat } from '../support/chats.js';
import { uploadFile } from '../support/documents.js';
import { registerOrg, uniqueEmail, type RegisteredOrg } from '../support/factories.js';
import { LogCapture } from '../support/log-capture.js';
import { Mailbox } from '../support/mailbox.js';
import { createMember } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Attack matrix, injection: SQL metacharacters in every free-text query parameter of the API (taken from the
 * OpenAPI document), `%` and `_` taken literally by every search, control characters and HTML in names kept out of
 * log lines, mail headers and mail bodies. HTML in the sandbox checkout page is covered by
 * test/billing/sandbox-checkout.e2e-spec.ts ("is HTML under a strict policy, never cached, with every value escaped").
 */
let t: TestApp;
let mailbox: Mailbox;
let org: RegisteredOrg;
let chatId: string;
const logs = new LogCapture();

interface Param {
  name: string;
  in: string;
  schema?: { type?: string; enum?: unknown[]; format?: string };
}

/** Free-text query parameters (no enum, no format) of list routes: where a value could reach SQL as text. */
const FREE_TEXT = await (async () => {
  const app = await startTestApp();
  try {
    const doc = (await (await fetch(`${app.url}/api/docs-json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: Param[] }>>;
    };
    return Object.entries(doc.paths).flatMap(([path, ops]) =>
      (ops.get?.parameters ?? [])
        .filter((p) => p.in === 'query' && p.schema?.type === 'string' && !p.schema.enum && !p.schema.format && p.name !== 'token')
        .map((p) => ({ path: path.replace('/api/v1', ''), param: p.name })),
    );
  } finally {
    await app.close();
  }
})();

const METACHARACTERS = [
  `' OR '1'='1`,
  `'; DROP TABLE users; --`,
  `" OR ""="`,
  `\\`,
  `' UNION SELECT password_hash FROM users --`,
  `%' AND 1=1 --`,
  `_`,
  `\u0000`,
  `$1`,
];

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  t = await startTestApp({ SMTP_URL: mailbox.url, LOG_LEVEL: 'info' }, { logDestination: logs });
  org = await registerOrg(t.http);
  // On the top package, so feature gates (audit export) let every request reach its query.
  await rows(
    t,
    `UPDATE organization_subscriptions SET package_id = (SELECT id FROM packages WHERE slug = 'diamond') WHERE organization_id = $1`,
    [org.organizationId],
  );
  chatId = await insertChat(t, org.organizationId, [org.userId], 'Injection');
});
afterAll(async () => {
  await t?.close();
  await mailbox?.stop();
});

describe('SQL metacharacters in query parameters', () => {
  it('finds the free-text parameters to attack', () => {
    expect(FREE_TEXT.map((f) => `${f.path}?${f.param}`)).toEqual(
      expect.arrayContaining(['/users?search', '/organizations/me/documents?search', '/chats/{id}/messages?search', '/audit-logs?action']),
    );
  });

  const cases = FREE_TEXT.flatMap((f) => METACHARACTERS.map((value) => ({ ...f, value, shown: JSON.stringify(value) })));
  it.each(cases)('GET $path?$param=$shown → no 500, nothing changed', async ({ path, param, value }) => {
    const url = `${path.replace('{id}', chatId)}?${param}=${encodeURIComponent(value)}`;
    const res = await expectNothingChanged(t, await organizationFootprint(t, org.organizationId), () =>
      t.http.get(url, { token: org.accessToken }),
    );
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
    // Either a clear 400 naming the parameter, or an answer (a list, an export) with no column the route does not show.
    if (res.status === 200) expect(JSON.stringify(res.body)).not.toMatch(/password_hash|\$argon2/);
    else expect(res.body).toMatchObject({ statusCode: 400, details: [{ field: param }] });
  });
});

describe('% and _ are literal in every search', () => {
  it('GET /users?search', async () => {
    for (const last of ['Per%cent', 'Under_score', 'UnderXscore']) await createMember(t, org, 'member', { last_name: last });
    const names = async (search: string) =>
      (
        (await t.http.get(`/users?search=${encodeURIComponent(search)}`, { token: org.accessToken })).body.data as Array<{
          last_name: string;
        }>
      )
        .map((u) => u.last_name)
        .sort();
    expect(await names('%')).toEqual(['Per%cent']);
    expect(await names('_')).toEqual(['Under_score']);
    expect(await names('Under_s')).toEqual(['Under_score']);
    expect(await names('r%c')).toEqual(['Per%cent']);
  });

  it('GET /organizations/me/documents?search', async () => {
    for (const title of ['Ten%Off', 'snake_case', 'snakeXcase']) {
      expect((await uploadFile(t.url, org.accessToken, `${title}.txt`, Buffer.from('plain text\n'), title)).status).toBe(201);
    }
    const titles = async (search: string) =>
      (
        (await t.http.get(`/organizations/me/documents?search=${encodeURIComponent(search)}`, { token: org.accessToken })).body
          .data as Array<{ title: string }>
      )
        .map((d) => d.title)
        .sort();
    expect(await titles('%')).toEqual(['Ten%Off']);
    expect(await titles('e_c')).toEqual(['snake_case']);
  });

  it('GET /chats/:id/messages?search', async () => {
    for (const body of ['50% off', 'snake_case', 'snakeXcase']) {
      expect(
        (await t.http.post(`/chats/${chatId}/messages`, { content: body, message_type: 'TEXT' }, { token: org.accessToken })).status,
      ).toBe(201);
    }
    const found = async (search: string) =>
      (
        (await t.http.get(`/chats/${chatId}/messages?search=${encodeURIComponent(search)}`, { token: org.accessToken })).body
          .data as Array<{ content: string }>
      )
        .map((m) => m.content)
        .sort();
    // Full-text search (words as typed): `%` is no word, so it matches nothing rather than everything, and `_` only
    // separates words, never standing for a character.
    expect(await found('%')).toEqual([]);
    expect(await found('snake_case')).toEqual(['snake_case']);
    expect(await found('snake case')).toEqual(['snake_case']);
  });
});

/** A raw carriage return, line feed or escape (ESC starts an ANSI sequence). */
const hasRawControl = (s: string) => /[\r\n]/.test(s) || s.includes('\u001b');

describe('control characters and HTML in names', () => {
  const CONTROL = 'Eve\r\nBcc: thief@evil.test\r\n\u001b[31mRED\u001b[0m';
  const HTML = '<img src=x onerror=alert(1)><b>Bold</b> & "quoted"';

  it.each([
    { what: 'CRLF and ANSI escapes', name: `Org ${CONTROL}` },
    { what: 'HTML', name: `Org ${HTML}` },
  ])('an organization name with $what: refused, or escaped in the invitation mail, its headers and the logs', async ({ name }) => {
    const owner = await registerOrg(t.http);
    const renamed = await t.http.put('/organizations/me', { name }, { token: owner.accessToken });
    expect([200, 400]).toContain(renamed.status);
    const email = uniqueEmail('invitee');
    expect((await t.http.post('/invitations', { email }, { token: owner.accessToken })).status).toBe(201);
    const mail = await mailbox.waitFor(email, /Join/);
    for (const [header, value] of Object.entries(mail.headers)) {
      expect(hasRawControl(value), header).toBe(false);
    }
    expect(mail.headers).not.toHaveProperty('bcc');
    expect(mailbox.messages.some((m) => m.to.includes('thief@evil.test'))).toBe(false);
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).not.toContain('<b>Bold</b>');
    if (renamed.status === 200 && name.includes('<img')) expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // Every log line is one JSON object on one line: no raw CR, LF or ESC from the name anywhere in the log.
    for (const line of logs.lines) {
      expect(hasRawControl(line.trimEnd()), line).toBe(false);
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
  });

  it('a member name with CRLF and ANSI escapes: refused, or kept out of raw log lines and mail headers', async () => {
    const res = await t.http.put('/users/me', { first_name: CONTROL.slice(0, 40) }, { token: org.accessToken });
    expect([200, 400]).toContain(res.status);
    const email = uniqueEmail('invitee');
    expect((await t.http.post('/invitations', { email }, { token: org.accessToken })).status).toBe(201);
    const mail = await mailbox.waitFor(email, /Join/);
    for (const [header, value] of Object.entries(mail.headers)) expect(hasRawControl(value), header).toBe(false);
    for (const line of logs.lines) expect(hasRawControl(line.trimEnd()), line).toBe(false);
  });
});

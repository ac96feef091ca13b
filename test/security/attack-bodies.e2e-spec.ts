import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNothingChanged, rawRequest, tenantFootprint } from '../support/attack.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Attack matrix, bodies: what the parsers refuse before any handler runs. A 2 MB JSON body answering 413 is
 * covered by test/auth/auth.e2e-spec.ts ("answers malformed JSON with a 400 and an oversized body with a 413").
 */
let t: TestApp;
let org: RegisteredOrg;

beforeAll(async () => {
  t = await startTestApp();
  org = await registerOrg(t.http);
});
afterAll(async () => {
  await t?.close();
});

const json = 'application/json';
const deepArrays = (n: number) => `{"first_name":${'['.repeat(n)}${']'.repeat(n)}}`;
const deepObjects = (n: number) => `{"first_name":"Deep","x":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`;
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('bodies the API refuses, changing nothing', () => {
  it.each([
    { name: '10,000 levels of arrays', type: json, body: deepArrays(10_000), status: 400, code: 'body_too_deep' },
    { name: '10,000 levels of objects', type: json, body: deepObjects(10_000), status: 400, code: 'body_too_deep' },
    { name: '65 levels (one past the limit)', type: json, body: deepObjects(64), status: 400, code: 'body_too_deep' },
    { name: 'an invalid UTF-8 byte', type: json, body: bytes('{"first_name":"A', [0xff, 0xfe], '"}'), status: 400, code: 'invalid_utf8' },
    {
      name: 'an overlong UTF-8 encoding of "/"',
      type: json,
      body: bytes('{"first_name":"A', [0xc0, 0xaf], '"}'),
      status: 400,
      code: 'invalid_utf8',
    },
    {
      name: 'a UTF-8-encoded lone surrogate',
      type: json,
      body: bytes('{"first_name":"A', [0xed, 0xa0, 0x80], '"}'),
      status: 400,
      code: 'invalid_utf8',
    },
    {
      name: 'a truncated UTF-8 sequence',
      type: json,
      body: bytes('{"first_name":"A', [0xe2, 0x82], '"}'),
      status: 400,
      code: 'invalid_utf8',
    },
    {
      name: 'invalid UTF-8 in a form body',
      type: 'application/x-www-form-urlencoded',
      body: bytes('first_name=A', [0xff]),
      status: 400,
      code: 'invalid_utf8',
    },
    { name: 'text/plain', type: 'text/plain', body: '{"first_name":"Plain"}', status: 415, code: 'unsupported_media_type' },
    {
      name: 'application/xml',
      type: 'application/xml',
      body: '<user><first_name>X</first_name></user>',
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'multipart/form-data',
      type: 'multipart/form-data; boundary=b',
      body: '--b\r\nContent-Disposition: form-data; name="first_name"\r\n\r\nM\r\n--b--\r\n',
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'a JSON body without a content type',
      type: undefined,
      body: '{"first_name":"Untyped"}',
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'JSON in another charset',
      type: 'application/json; charset=latin1',
      body: '{"first_name":"Latin"}',
      status: 415,
      code: 'unsupported_encoding',
    },
    { name: 'a NUL character in a string', type: json, body: '{"first_name":"A\\u0000B"}', status: 400, code: 'validation_failed' },
    {
      name: 'a NUL character in a form field',
      type: 'application/x-www-form-urlencoded',
      body: 'first_name=A%00B',
      status: 400,
      code: 'validation_failed',
    },
    { name: 'malformed JSON', type: json, body: '{"first_name":"A",', status: 400, code: 'malformed_json' },
  ])('PUT /users/me with $name → $status $code', async ({ type, body, status, code }) => {
    const res = await expectNothingChanged(t, tenantFootprint(org.organizationId), () =>
      rawRequest(t, 'PUT', '/users/me', body, { authorization: `Bearer ${org.accessToken}`, ...(type ? { 'content-type': type } : {}) }),
    );
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ statusCode: status, code });
  });

  it.each([
    { name: '10,000 levels', body: deepObjects(10_000), status: 400, code: 'body_too_deep' },
    {
      name: 'invalid UTF-8',
      body: bytes(
        '{"organization_name":"Bad',
        [0xff],
        '","first_name":"A","last_name":"B","email":"utf8@example.test","password":"Lantern-Harbor-42!"}',
      ),
      status: 400,
      code: 'invalid_utf8',
    },
  ])('POST /auth/organization/register with $name → $status, no account', async ({ body, status, code }) => {
    const res = await expectNothingChanged(
      t,
      [[`SELECT count(*)::int AS n FROM users`], [`SELECT count(*)::int AS n FROM organizations`]],
      () => rawRequest(t, 'POST', '/auth/organization/register', body, { 'content-type': json }),
    );
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
  });

  it('accepts 64 levels (the limit) and the same text with brackets inside strings', async () => {
    // Brackets and escaped quotes inside strings are not nesting: a name full of them is a name.
    const name = `${'['.repeat(100)}\\"{${'{'.repeat(100)}`;
    const res = await rawRequest(t, 'PUT', '/users/me', `{"first_name":"${name}"}`, {
      authorization: `Bearer ${org.accessToken}`,
      'content-type': json,
    });
    // A name this long is refused by its own rule, not as a nesting problem.
    expect(res.body.code).not.toBe('body_too_deep');
    const ok = await rawRequest(t, 'PUT', '/users/me', '{"first_name":"[{Brackets}]"}', {
      authorization: `Bearer ${org.accessToken}`,
      'content-type': json,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.data.first_name).toBe('[{Brackets}]');
  });

  it('keeps serving while deeply nested bodies arrive: a cheap request answers during a burst of them', async () => {
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    // Each body is just under the size limit, so refusing it means reading every byte of it.
    const body = deepArrays(10_000) + ' '.repeat(900_000);
    const burst = Array.from({ length: 20 }, () =>
      rawRequest(t, 'PUT', '/users/me', body, { authorization: `Bearer ${org.accessToken}`, 'content-type': json }),
    );
    const cheap = t.http.get('/health');
    const [health, ...refused] = await Promise.all([cheap, ...burst]);
    loop.disable();
    expect(health.status).toBe(200);
    expect(refused.map((r) => r.status)).toEqual(Array(20).fill(400));
    // The app runs in this process: the longest stall of its event loop during the burst. Refusing before parsing
    // keeps each request to one pass over its bytes; parsing and transforming 10,000 levels took the stack down.
    expect(loop.max / 1e6).toBeLessThan(1_000);
  });
});

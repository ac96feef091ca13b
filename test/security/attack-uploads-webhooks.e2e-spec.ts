import { randomUUID } from 'node:crypto';
import { SCHEMES } from '@atrium/integrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNothingChanged, organizationFootprint, rawRequest } from '../support/attack.js';
import { MULTIPART_END, MULTIPART_TYPE, partHead, postDocument } from '../support/documents.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { createProvider, unlimitedProviders, type CreatedProvider } from '../support/integrations.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Attack matrix, uploads and signed webhooks: bad inputs in one table, each refused with nothing stored. Covered
 * elsewhere and not repeated: refused file types by content and a PDF claim over an executable, an empty file, the
 * per-file and total limits, Content-Length before reading (test/documents/documents.e2e-spec.ts); a wrong secret, a
 * wrong-length signature, a body changed by one byte, a missing header, stale and future timestamps, a body over 1 MB
 * (test/integrations/receiving.e2e-spec.ts). Here: what a hostile client sends around those.
 */
let t: TestApp;
let org: RegisteredOrg;
let provider: CreatedProvider;

beforeAll(async () => {
  t = await startTestApp();
  org = await registerOrg(t.http);
  await unlimitedProviders(t, org.organizationId);
  provider = await createProvider(t, org, { name: 'attack-svc', signature_scheme: 'hmac-sha256' });
});
afterAll(async () => {
  await t?.close();
});

const TEXT = Buffer.from('plain text\n');
const upload = (body: Buffer | string, type = MULTIPART_TYPE) =>
  rawRequest(t, 'POST', '/organizations/me/documents', body, { authorization: `Bearer ${org.accessToken}`, 'content-type': type });

describe('uploads', () => {
  it.each([
    {
      name: 'a JSON body instead of multipart',
      send: () => upload(JSON.stringify({ title: 'x', file: 'aGVsbG8=' }), 'application/json'),
      status: 415,
      code: 'multipart_required',
    },
    { name: 'multipart without a boundary', send: () => upload(TEXT, 'multipart/form-data'), status: 415, code: 'multipart_required' },
    {
      // Before the fix this also threw busboy's "Unexpected end of form" from the file stream as an uncaught exception
      // (the process would exit; vitest reports it as an unhandled error and fails the run).
      name: 'a multipart body cut off mid-file',
      send: () =>
        upload(Buffer.concat([partHead({ name: 'title' }), Buffer.from('T\r\n'), partHead({ name: 'file', filename: 'a.txt' }), TEXT])),
      status: 400,
      code: 'malformed_multipart',
    },
    {
      name: 'no file part',
      send: () => upload(Buffer.concat([partHead({ name: 'title' }), Buffer.from('Only a title'), MULTIPART_END])),
      status: 400,
      code: 'validation_failed',
    },
    {
      name: 'an unknown field',
      send: () =>
        postDocument(t.url, org.accessToken, [
          { name: 'organization_id', data: randomUUID() },
          { name: 'file', filename: 'a.txt', data: TEXT },
        ]),
      status: 400,
      code: 'validation_failed',
    },
    {
      name: 'two files',
      send: () =>
        postDocument(t.url, org.accessToken, [
          { name: 'file', filename: 'a.txt', data: TEXT },
          { name: 'file', filename: 'b.txt', data: TEXT },
        ]),
      status: 400,
      code: 'validation_failed',
    },
  ])('$name → $status $code, nothing stored', async ({ send, status, code }) => {
    const res = await expectNothingChanged(t, await organizationFootprint(t, org.organizationId), send);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.code).toBe(code);
  });

  it.each([
    { name: 'a path in the filename', filename: '../../../etc/passwd.txt', stored: 'passwd.txt' },
    { name: 'a Windows path in the filename', filename: '..\\..\\boot.txt', stored: 'boot.txt' },
  ])('$name is stored as its last segment only', async ({ filename, stored }) => {
    const res = await postDocument(t.url, org.accessToken, [
      { name: 'title', data: 'Traversal' },
      { name: 'file', filename, data: TEXT },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data.filename).toBe(stored);
  });
});

describe('signed webhooks', () => {
  const path = () => `/webhooks/${org.organizationId}/attack-svc`;
  /** Exactly these bytes, signed with the provider's secret: only the body is wrong. */
  const signed = (body: string) =>
    rawRequest(t, 'POST', path(), body, {
      'content-type': 'application/json',
      ...SCHEMES['hmac-sha256'].sign(body, provider.secret, new Date()),
    });

  it.each([
    {
      name: 'JSON nested 10,000 levels',
      body: `{"event_id":"${randomUUID()}","type":"x","a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
      status: 400,
      code: 'body_too_deep',
    },
    {
      name: 'a __proto__ key',
      body: `{"event_id":"${randomUUID()}","type":"x","__proto__":{"polluted":true}}`,
      status: 400,
      code: 'validation_failed',
    },
    { name: 'a NUL character', body: `{"event_id":"${randomUUID()}","type":"x\\u0000y"}`, status: 400, code: 'validation_failed' },
    { name: 'malformed JSON', body: `{"event_id":"${randomUUID()}",`, status: 400, code: 'malformed_json' },
  ])('$name → $status $code, nothing stored', async ({ body, status, code }) => {
    const res = await expectNothingChanged(t, await organizationFootprint(t, org.organizationId), () => signed(body));
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.code).toBe(code);
  });

  it.each([
    { name: 'an unknown provider', path: () => `/webhooks/${org.organizationId}/nobody-svc`, status: 404 },
    { name: 'an unknown organization', path: () => `/webhooks/${randomUUID()}/attack-svc`, status: 404 },
    { name: 'another scheme’s headers', path: () => `/webhooks/${org.organizationId}/attack-svc`, status: 400, scheme: 'stripe' as const },
  ])('$name → $status, nothing stored', async ({ path: to, status, scheme }) => {
    const body = JSON.stringify({ event_id: randomUUID(), type: 'test.effect' });
    const headers = SCHEMES[scheme ?? 'hmac-sha256'].sign(body, provider.secret, new Date());
    const res = await expectNothingChanged(t, await organizationFootprint(t, org.organizationId), () =>
      rawRequest(t, 'POST', to(), body, { 'content-type': 'application/json', ...headers }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(status);
  });
});

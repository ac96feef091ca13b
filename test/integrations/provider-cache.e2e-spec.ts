import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/billing.js';
import { registerOrg } from '../support/factories.js';
import { createProvider, sendSigned } from '../support/integrations.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Two instances keeping a verified provider 30 s, and one keeping it 1 s, on one database. */
let a: TestApp;
let b: TestApp;
let brief: TestApp;

beforeAll(async () => {
  [a, b, brief] = await Promise.all([
    startTestApp({ WEBHOOK_PROVIDER_CACHE_SECONDS: '30' }),
    startTestApp({ WEBHOOK_PROVIDER_CACHE_SECONDS: '30' }),
    startTestApp({ WEBHOOK_PROVIDER_CACHE_SECONDS: '1' }),
  ]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close(), brief?.close()]);
});

const event = () => ({ event_id: randomUUID(), type: 'x' });

describe('the receiving path keeps a verified provider for WEBHOOK_PROVIDER_CACHE_SECONDS', () => {
  it('verifies a secret rotated through another instance at once: a kept provider never refuses without reading it again', async () => {
    const org = await registerOrg(a.http);
    const p = await createProvider(a, org);
    const path = `/webhooks/${org.organizationId}/${p.name}`;
    expect((await sendSigned(b, path, 'hmac-sha256', p.secret, event())).status).toBe(200);

    const rotated = await a.http.post(`/integrations/providers/${p.id}/rotate-secret`, {}, { token: org.accessToken });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.data.secret as string;
    expect((await sendSigned(b, path, 'hmac-sha256', fresh, event())).status).toBe(200);
    expect((await sendSigned(b, path, 'hmac-sha256', p.secret, event())).status).toBe(200);
    const forged = await sendSigned(b, path, 'hmac-sha256', `${fresh}x`, event());
    expect([forged.status, forged.body.code]).toEqual([401, 'signature_invalid']);
  });

  it('answers 410 for a provider deleted through this instance at once, and through another within the window', async () => {
    const org = await registerOrg(a.http);
    const p = await createProvider(a, org);
    const path = `/webhooks/${org.organizationId}/${p.name}`;
    for (const instance of [a, brief]) expect((await sendSigned(instance, path, 'hmac-sha256', p.secret, event())).status).toBe(200);

    expect((await a.http.delete(`/integrations/providers/${p.id}`, undefined, { token: org.accessToken })).status).toBe(204);
    const here = await sendSigned(a, path, 'hmac-sha256', p.secret, event());
    expect([here.status, here.body.code]).toEqual([410, 'provider_gone']);
    const there = await eventually(
      async () => {
        const res = await sendSigned(brief, path, 'hmac-sha256', p.secret, event());
        return res.status === 200 ? undefined : res;
      },
      'the other instance to forget the deleted provider',
      5_000,
    );
    expect([there.status, there.body.code]).toEqual([410, 'provider_gone']);
  });
});

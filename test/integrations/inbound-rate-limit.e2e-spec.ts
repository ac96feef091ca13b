import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg } from '../support/factories.js';
import { createProvider, sendSigned, unlimitedProviders } from '../support/integrations.js';
import { db } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  // A browser's budget of 3 requests a minute, and 6 callbacks a minute per sending address.
  t = await startTestApp({ RATE_LIMIT_DEFAULT_PER_MINUTE: '3', RATE_LIMIT_INBOUND_PER_MINUTE: '6' });
});
afterAll(async () => {
  await t?.close();
});

describe('callbacks from gateways and partners have a per-address budget of their own', () => {
  it('serves webhooks past the default per-IP budget, then answers 429 past RATE_LIMIT_INBOUND_PER_MINUTE on every callback route', async () => {
    const org = await registerOrg(t.http);
    await unlimitedProviders(t, org.organizationId);
    const provider = await createProvider(t, org, { name: 'busy-partner' });
    const send = () =>
      sendSigned(t, `/webhooks/${org.organizationId}/busy-partner`, 'hmac-sha256', provider.secret, { event_id: randomUUID(), type: 'x' });

    const served = [];
    for (let i = 0; i < 6; i++) served.push(await send());
    expect(served.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(served[5].headers.get('x-ratelimit-limit')).toBe('6');

    const refused = await send();
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // The payment gateways' callbacks count against the same address's callback budget.
    const gateway = await t.http.post('/payments/webhooks/sandbox', { id: 'evt_x', type: 'payment_intent.succeeded' });
    expect(gateway.status).toBe(429);
    const [{ n }] = await db(t).query(`SELECT count(*)::int AS n FROM webhook_events WHERE provider_id = $1`, [provider.id]);
    expect(n).toBe(6);

    // The browser-facing budget is untouched by the callbacks: one request of its 3 was spent creating the provider.
    const me = await t.http.get('/users/me', { token: org.accessToken });
    expect(me.status).toBe(200);
    expect(me.headers.get('x-ratelimit-limit')).toBe('3');
    expect(me.headers.get('x-ratelimit-remaining')).toBe('1');
  });
});

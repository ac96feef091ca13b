import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../apps/sandbox/src/sandbox.js';
import { eventually } from '../support/billing.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { createProvider, unlimitedProviders } from '../support/integrations.js';
import { createMember, type Member } from '../support/members.js';
import { db } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let sandbox: Sandbox;
let slow: Sandbox;
let owner: RegisteredOrg;
let admin: Member;
let manager: Member;
let other: RegisteredOrg;

beforeAll(async () => {
  sandbox = await startSandbox();
  slow = await startSandbox({ faults: { latencyMs: 1200 } });
  t = await startTestApp({
    INTEGRATION_HEALTH_INTERVAL_SECONDS: '0.3',
    INTEGRATION_HEALTH_TIMEOUT_MS: '3000',
    // Well above a loaded machine's loopback answers, so `healthy` is not flaky; the slow sandbox answers after it.
    INTEGRATION_HEALTH_SLOW_MS: '1000',
    INTEGRATION_OUTBOUND_ALLOW_LOOPBACK: 'true',
  });
  owner = await registerOrg(t.http);
  other = await registerOrg(t.http);
  await unlimitedProviders(t, owner.organizationId);
  admin = await createMember(t, owner, 'admin');
  manager = await createMember(t, owner, 'manager');
});
afterAll(async () => {
  await t?.close();
  await sandbox?.close();
  await slow?.close();
});

type HealthEntry = {
  id: string;
  status: string;
  response_time: number | null;
  error_message: string;
  consecutive_failures: number;
  last_check: string;
};

const healthOf = async (token: string, providerId: string): Promise<HealthEntry | undefined> => {
  const res = await t.http.get('/integrations/health?limit=100', { token });
  expect(res.status).toBe(200);
  return (res.body.data as HealthEntry[]).find((h) => h.id === providerId);
};
/** Waits for the provider's health to satisfy `ok`. */
const healthWhen = (providerId: string, ok: (h: HealthEntry) => boolean, what: string) =>
  eventually(async () => {
    const h = await healthOf(owner.accessToken, providerId);
    return h && ok(h) ? h : undefined;
  }, what);
const notifications = (userId: string, type: string) =>
  db(t).query<Array<{ title: string; data: Record<string, unknown> }>>(
    `SELECT title, data FROM notifications WHERE user_id = $1 AND type = $2 AND organization_id = $3`,
    [userId, type, owner.organizationId],
  );
const published = async (name: string, providerId: string) =>
  (
    await db(t).query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM outbox_events WHERE name = $1 AND payload->>'provider_id' = $2`,
      [name, providerId],
    )
  )[0].n;
const statusOf = async (token: string) => {
  const res = await t.http.get('/integrations/status', { token });
  expect(res.status).toBe(200);
  return res.body.data as Record<string, { status: string; lastSync: string | null; lastError: string | null; health: string }>;
};

describe('the health probe', () => {
  it('marks a provider down after 3 failed probes and recovered on the first success, each published and notified once', async () => {
    const p = await createProvider(t, owner, { name: 'user-service' });
    const patch = await t.http.request(
      'PATCH',
      `/integrations/providers/${p.id}`,
      { base_url: sandbox.baseUrl, health_path: '/health' },
      { token: owner.accessToken },
    );
    expect(patch.status).toBe(200);

    const healthy = await healthWhen(p.id, (h) => h.status === 'healthy', 'healthy');
    expect(healthy).toMatchObject({ error_message: '', consecutive_failures: 0 });
    expect(healthy.response_time).toBeGreaterThanOrEqual(0);
    expect((await statusOf(owner.accessToken))['user-service']).toEqual({
      status: 'OK',
      lastSync: null,
      lastError: null,
      health: 'healthy',
    });

    // The sandbox's fault switch, flipped at runtime over HTTP.
    const flip = await fetch(`${sandbox.baseUrl}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"down":true}',
    });
    expect(flip.status).toBe(200);
    const degraded = await healthWhen(p.id, (h) => h.consecutive_failures >= 1, 'a failed probe');
    if (degraded.consecutive_failures < 3) expect(degraded.status).toBe('degraded');
    const down = await healthWhen(p.id, (h) => h.status === 'down', 'down');
    expect(down.consecutive_failures).toBeGreaterThanOrEqual(3);
    expect(down.error_message).toBe('HTTP 503');
    expect((await statusOf(owner.accessToken))['user-service']).toMatchObject({ status: 'FAILED', lastError: 'HTTP 503', health: 'down' });

    const [told] = await eventually(async () => {
      const rows = await notifications(owner.userId, 'integration.down');
      return rows.length ? rows : undefined;
    }, 'the down notification');
    expect(told).toMatchObject({ title: 'user-service is down', data: { provider_id: p.id, error: 'HTTP 503' } });
    // Two more failed probes while down publish nothing more.
    await healthWhen(p.id, (h) => h.consecutive_failures >= down.consecutive_failures + 2, 'two more failed probes');
    expect(await published('integration.down', p.id)).toBe(1);

    sandbox.faults.down = false;
    await healthWhen(p.id, (h) => h.status === 'healthy', 'recovered');
    await eventually(
      async () => ((await notifications(owner.userId, 'integration.recovered')).length ? true : undefined),
      'the recovered notification',
    );
    const after = (await healthOf(owner.accessToken, p.id))!.last_check;
    await healthWhen(p.id, (h) => h.last_check > after && h.status === 'healthy', 'another successful probe');
    await healthWhen(p.id, (h) => h.last_check > after, 'and one more');
    expect(await published('integration.down', p.id)).toBe(1);
    expect(await published('integration.recovered', p.id)).toBe(1);

    // Integration admins are told, once each; a manager (integrations.view only) is not.
    for (const userId of [owner.userId, admin.userId]) {
      expect(await notifications(userId, 'integration.down')).toHaveLength(1);
      expect(await notifications(userId, 'integration.recovered')).toHaveLength(1);
    }
    expect(await notifications(manager.userId, 'integration.down')).toHaveLength(0);
    expect(await notifications(manager.userId, 'integration.recovered')).toHaveLength(0);
    expect((await statusOf(owner.accessToken))['user-service']).toMatchObject({ status: 'OK', lastError: null, health: 'healthy' });
  });

  it('records a slow 2xx answer as degraded with its response time', async () => {
    const p = await createProvider(t, owner, { name: 'payment-service' });
    await t.http.request(
      'PATCH',
      `/integrations/providers/${p.id}`,
      { base_url: slow.baseUrl, health_path: '/health' },
      { token: owner.accessToken },
    );
    const h = await healthWhen(p.id, (x) => x.last_check !== null && x.response_time !== null, 'a probe');
    expect(h).toMatchObject({ status: 'degraded', consecutive_failures: 0, error_message: '' });
    expect(h.response_time).toBeGreaterThanOrEqual(1.2);
    // A slow but answering service is not failing: the status map says OK.
    expect((await statusOf(owner.accessToken))['payment-service']).toMatchObject({ status: 'OK', health: 'degraded' });
  });

  it('never calls link-local (cloud metadata) addresses, recording the refusal as a failed probe', async () => {
    const p = await createProvider(t, owner, { name: 'metadata-service' });
    await t.http.request(
      'PATCH',
      `/integrations/providers/${p.id}`,
      { base_url: 'http://169.254.169.254/latest', health_path: '/meta-data' },
      { token: owner.accessToken },
    );
    const h = await healthWhen(p.id, (x) => x.consecutive_failures >= 1, 'a refused probe');
    expect(h.error_message).toMatch(/^Refused: 169\.254\.169\.254 is a link-local/);
    expect(h.response_time).toBeNull();
    expect((await statusOf(owner.accessToken))['metadata-service'].status).toMatch(/RETRYING|FAILED/);
  });

  it('shows one organization nothing of another’s, and lists only providers with a health URL', async () => {
    const mine = await createProvider(t, owner, { name: 'no-health-url' });
    const list = await t.http.get('/integrations/health?limit=100', { token: owner.accessToken });
    expect(list.body.data.map((h: HealthEntry) => h.id)).not.toContain(mine.id);
    expect(list.body.data[0]).toHaveProperty('service.health_url');

    const theirs = await t.http.get('/integrations/health', { token: other.accessToken });
    expect(theirs.status).toBe(200);
    expect(theirs.body).toMatchObject({ data: [], total: 0 });
    expect(await statusOf(other.accessToken)).toEqual({});
    expect(Object.keys(await statusOf(owner.accessToken))).toEqual(
      expect.arrayContaining(['user-service', 'payment-service', 'metadata-service', 'no-health-url']),
    );
  });

  it('is refused without integrations.view', async () => {
    const member = await createMember(t, owner, 'member');
    for (const path of ['/integrations/health', '/integrations/status']) {
      const res = await t.http.get(path, { token: member.accessToken });
      expect([path, res.status]).toEqual([path, 403]);
    }
  });
});

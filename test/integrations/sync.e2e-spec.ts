import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../apps/sandbox/src/sandbox.js';
import { eventually } from '../support/billing.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { createProvider, type CreatedProvider, unlimitedProviders } from '../support/integrations.js';
import { db } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ENV = {
  INTEGRATION_OUTBOUND_ALLOW_LOOPBACK: 'true',
  INTEGRATION_SYNC_PAGE_SIZE: '5',
  INTEGRATION_SYNC_LEASE_SECONDS: '2',
  INTEGRATION_HEALTH_INTERVAL_SECONDS: '0',
};

let t: TestApp;
let sandbox: Sandbox;
let owner: RegisteredOrg;
let other: RegisteredOrg;
let provider: CreatedProvider;

type Run = {
  id: string;
  status: string;
  sync_type: string;
  pages_done: number;
  total: number | null;
  records_synced: number;
  records_created: number;
  records_updated: number;
  progress: number | null;
  error: string | null;
  resumes: number;
  service: { id: string; name: string };
};

beforeAll(async () => {
  sandbox = await startSandbox({ seed: { users: 23, subscriptions: 7, notifications: 0 } });
  t = await startTestApp(ENV);
  owner = await registerOrg(t.http);
  other = await registerOrg(t.http);
  await unlimitedProviders(t, owner.organizationId);
  provider = await createProvider(t, owner, { name: 'user-service' });
  await t.http.request('PATCH', `/integrations/providers/${provider.id}`, { base_url: sandbox.baseUrl }, { token: owner.accessToken });
});
afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});

const trigger = (app: TestApp, token: string, body: Record<string, unknown>) =>
  app.http.post('/integrations/sync/trigger', body, { token });
const runs = async (app: TestApp, token = owner.accessToken): Promise<Run[]> => {
  const res = await app.http.get('/integrations/data-sync?limit=100', { token });
  expect(res.status).toBe(200);
  return res.body.data as Run[];
};
const settled = (app: TestApp, id: string, timeoutMs = 20_000) =>
  eventually(
    async () => (await runs(app)).find((r) => r.id === id && ['completed', 'failed'].includes(r.status)),
    `run ${id} settled`,
    timeoutMs,
  );
const stored = async (providerId: string, type: string) =>
  (
    await db(t).query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM integration_synced_records WHERE provider_id = $1 AND sync_type = $2`,
      [providerId, type],
    )
  )[0].n;
const syncOnce = async (type: string, providerId = provider.id) => {
  const res = await trigger(t, owner.accessToken, { service_id: providerId, sync_type: type });
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ message: 'Sync triggered', data: { status: 'queued', sync_type: type, service: { id: providerId } } });
  return settled(t, res.body.data.id);
};

describe('data sync', () => {
  it('pulls every page of each type, with the right counts, and a repeat updates instead of duplicating', async () => {
    const users = await syncOnce('users');
    expect(users).toMatchObject({
      status: 'completed',
      pages_done: 5,
      total: 23,
      records_synced: 23,
      records_created: 23,
      records_updated: 0,
      progress: 100,
    });
    expect(await stored(provider.id, 'users')).toBe(23);
    const [row] = await db(t).query(
      `SELECT data FROM integration_synced_records WHERE provider_id = $1 AND sync_type = 'users' AND external_id = $2`,
      [provider.id, sandbox.records.users[0].id],
    );
    expect(row.data).toMatchObject({ email: 'user1@sandbox.test', name: 'Sandbox User 1' });

    expect(await syncOnce('subscriptions')).toMatchObject({
      status: 'completed',
      total: 7,
      records_synced: 7,
      records_created: 7,
      pages_done: 2,
    });
    expect(await stored(provider.id, 'subscriptions')).toBe(7);
    expect(await syncOnce('notifications')).toMatchObject({ status: 'completed', total: 0, records_synced: 0, pages_done: 1 });
    expect(await stored(provider.id, 'notifications')).toBe(0);

    sandbox.records.users[3].name = 'Renamed Partner User';
    await sandbox.create('users', { email: 'new@sandbox.test' });
    const again = await syncOnce('users');
    expect(again).toMatchObject({ status: 'completed', total: 24, records_synced: 24, records_created: 1, records_updated: 1 });
    expect(await stored(provider.id, 'users')).toBe(24);

    const audit = await db(t).query(
      `SELECT after FROM audit_logs WHERE organization_id = $1 AND action = 'integration_sync.triggered' AND resource_id = $2`,
      [owner.organizationId, again.id],
    );
    expect(audit).toEqual([{ after: { provider_id: provider.id, provider: 'user-service', sync_type: 'users' } }]);
    const status = await t.http.get('/integrations/status', { token: owner.accessToken });
    expect(status.body.data['user-service'].lastSync).toEqual(expect.any(String));
  });

  it('answers 409 sync_in_progress while a sync of that provider and type is queued or running, and takes other types', async () => {
    sandbox.faults.latencyMs = 150;
    try {
      const first = await trigger(t, owner.accessToken, { service_id: provider.id, sync_type: 'users' });
      expect(first.status).toBe(202);
      const second = await trigger(t, owner.accessToken, { service_id: provider.id, sync_type: 'users' });
      expect([second.status, second.body.code]).toEqual([409, 'sync_in_progress']);
      const otherType = await trigger(t, owner.accessToken, { service_id: provider.id, sync_type: 'subscriptions' });
      expect(otherType.status).toBe(202);
      expect((await settled(t, first.body.data.id)).status).toBe('completed');
      expect((await settled(t, otherType.body.data.id)).status).toBe('completed');
      // Once it is done, the next one is taken.
      const next = await trigger(t, owner.accessToken, { service_id: provider.id, sync_type: 'users' });
      expect(next.status).toBe(202);
      await settled(t, next.body.data.id);
    } finally {
      sandbox.faults.latencyMs = 0;
    }
  });

  it('fails a run whose pages keep failing, with the error in the run and the status map', async () => {
    const broken = await startSandbox({ faults: { down: true } });
    try {
      const p = await createProvider(t, owner, { name: 'broken-service' });
      await t.http.request('PATCH', `/integrations/providers/${p.id}`, { base_url: broken.baseUrl }, { token: owner.accessToken });
      const run = await syncOnce('users', p.id);
      expect(run).toMatchObject({ status: 'failed', error: 'Page 1: HTTP 503', records_synced: 0, pages_done: 0 });
      // Three tries of the page.
      expect(broken.requests.filter((r) => r.path === '/api/mock/api/data/users')).toHaveLength(3);
      const status = await t.http.get('/integrations/status', { token: owner.accessToken });
      expect(status.body.data['broken-service']).toMatchObject({ status: 'FAILED', lastError: 'Page 1: HTTP 503' });
    } finally {
      await broken.close();
    }
  });

  it('refuses bad input naming every problem, a provider without base_url (422), and another organization’s provider (404)', async () => {
    const bad = await trigger(t, owner.accessToken, { service_id: 'nope', sync_type: 'invoices' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/service_id/);
    expect(JSON.stringify(bad.body)).toMatch(/sync_type/);

    const bare = await createProvider(t, owner, { name: 'no-base-url' });
    const unprocessable = await trigger(t, owner.accessToken, { service_id: bare.id, sync_type: 'users' });
    expect([unprocessable.status, unprocessable.body.code]).toEqual([422, 'provider_has_no_base_url']);

    const before = (await runs(t)).length;
    const foreign = await trigger(t, other.accessToken, { service_id: provider.id, sync_type: 'users' });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'provider_not_found']);
    const unknown = await trigger(t, owner.accessToken, { service_id: randomUUID(), sync_type: 'users' });
    expect(unknown.status).toBe(404);
    expect(await runs(t, other.accessToken)).toEqual([]);
    expect((await runs(t)).length).toBe(before);
  });

  it('resumes a run after its worker stopped mid-sync, from the page after the last committed one, with the right counts', async () => {
    const big = await startSandbox({ seed: { users: 100 }, faults: { latencyMs: 150 } });
    // A deployment of its own (queue namespace and outbox scope), so this file's other app's workers take no part.
    const deployment = { ...ENV, QUEUE_PREFIX: `t${randomBytes(6).toString('hex')}` };
    const a = await startTestApp(deployment);
    let b: TestApp | undefined;
    try {
      const p = await createProvider(a, owner, { name: 'big-service' });
      await a.http.request('PATCH', `/integrations/providers/${p.id}`, { base_url: big.baseUrl }, { token: owner.accessToken });
      const started = await trigger(a, owner.accessToken, { service_id: p.id, sync_type: 'users' });
      expect(started.status).toBe(202);
      const id = started.body.data.id as string;
      await eventually(
        async () => ((await runs(a)).find((r) => r.id === id && r.pages_done >= 3) ? true : undefined),
        'three pages committed',
      );
      await a.close();
      const [stopped] = await db(t).query<Array<{ status: string; pages_done: number }>>(
        `SELECT status, pages_done FROM integration_sync_runs WHERE id = $1`,
        [id],
      );
      expect(stopped.status).toBe('running');
      expect(stopped.pages_done).toBeGreaterThanOrEqual(3);
      expect(stopped.pages_done).toBeLessThan(20);
      const servedBefore = big.requests.length;

      b = await startTestApp(deployment);
      const done = await settled(b, id);
      expect(done).toMatchObject({
        status: 'completed',
        total: 100,
        records_synced: 100,
        records_created: 100,
        pages_done: 20,
        resumes: 1,
      });
      expect(await stored(p.id, 'users')).toBe(100);
      const pagesAfter = big.requests.slice(servedBefore).map((r) => Number(r.query.page));
      expect(pagesAfter[0]).toBe(stopped.pages_done + 1);
      expect(pagesAfter.every((n) => n > stopped.pages_done)).toBe(true);
    } finally {
      await b?.close();
      await big.close();
    }
  });

  it('resumes a run whose worker was killed (SIGKILL) mid-sync once its lease expires, with the right counts', async () => {
    const big = await startSandbox({ seed: { users: 60 }, faults: { latencyMs: 150 } });
    try {
      const p = await createProvider(t, owner, { name: 'killed-service' });
      await t.http.request('PATCH', `/integrations/providers/${p.id}`, { base_url: big.baseUrl }, { token: owner.accessToken });
      // The run as a trigger writes it, held (a lease in the future) for the child worker below, so this app's sweep
      // leaves it alone until the child has claimed it.
      const [{ id }] = await db(t).query<Array<{ id: string }>>(
        `INSERT INTO integration_sync_runs (organization_id, provider_id, sync_type, heartbeat_at)
         VALUES ($1, $2, 'users', now() + interval '1 minute') RETURNING id`,
        [owner.organizationId, p.id],
      );
      const child = spawn(
        process.execPath,
        ['--import', './bench/register.mjs', 'test/support/sync-child.ts', inject('databaseUrl'), id, ENV.INTEGRATION_SYNC_PAGE_SIZE],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      await eventually(
        async () => ((await runs(t)).find((r) => r.id === id && r.pages_done >= 2) ? true : undefined),
        'two pages committed by the child',
        30_000,
      );
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const servedBefore = big.requests.length;
      const [killed] = await db(t).query<Array<{ status: string; pages_done: number; resumes: number }>>(
        `SELECT status, pages_done, resumes FROM integration_sync_runs WHERE id = $1`,
        [id],
      );
      expect(killed).toMatchObject({ status: 'running', resumes: 0 });
      expect(killed.pages_done).toBeLessThan(12);

      const done = await settled(t, id, 30_000);
      expect(done).toMatchObject({ status: 'completed', total: 60, records_synced: 60, records_created: 60, pages_done: 12, resumes: 1 });
      expect(await stored(p.id, 'users')).toBe(60);
      const pagesAfter = big.requests.slice(servedBefore).map((r) => Number(r.query.page));
      expect(pagesAfter[0]).toBe(killed.pages_done + 1);
      expect(pagesAfter.every((n) => n > killed.pages_done)).toBe(true);
    } finally {
      await big.close();
    }
  });

  it('fails a run that keeps losing its worker instead of handing it on forever', async () => {
    const [{ id }] = await db(t).query<Array<{ id: string }>>(
      `INSERT INTO integration_sync_runs (organization_id, provider_id, sync_type, status, resumes, pages_done, heartbeat_at, started_at)
       VALUES ($1, $2, 'notifications', 'running', 10, 3, now() - interval '1 minute', now() - interval '2 minutes') RETURNING id`,
      [owner.organizationId, provider.id],
    );
    const run = await settled(t, id);
    expect(run).toMatchObject({
      status: 'failed',
      pages_done: 3,
      error: 'Its worker stopped 10 times without finishing it; trigger the sync again',
    });
  });
});

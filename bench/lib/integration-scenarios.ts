import { createHmac } from 'node:crypto';
import pg from 'pg';
import { compare } from './compare.js';
import type { RequestSpec } from './load.js';
import type { BenchContext, Check, ScenarioReport } from './scenarios.js';
import { comparedRows, noFailuresCheck, ratioCheck, unavailable } from './scenarios.js';
import { productionNodeFlags, type Server, startServer } from './servers.js';
import { freePort, log, sleep } from './util.js';

const API = '/api/v1';

async function post(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as { data?: Record<string, unknown> } | undefined };
}

/** Distinct events (`event_id` = prefix + counter), each signed `X-Signature: sha256=<hex>` with `secret`. */
function signedEvents(prefix: string, secret: string): () => { headers: Record<string, string>; body: string } {
  let n = 0;
  return () => {
    const body = JSON.stringify({
      event_id: `${prefix}${n++}`,
      type: 'user.updated',
      data: { user_id: `u_${n}`, email: `user-${n}@partner.bench.local`, name: 'Partner User', status: 'active' },
    });
    return { headers: { 'x-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` }, body };
  };
}

/**
 * `POST /webhooks/{organization}/{provider}`: distinct `hmac-sha256` events against the baselines'
 * `POST /webhook-hmac/{organization}/{provider}`, which verify the same header with the same secret and run one
 * `INSERT … ON CONFLICT DO NOTHING` into the same `webhook_events`. The app runs as the api node of a scaled
 * deployment (RUN_WORKERS=false, started for this row): per event it also looks the provider up (cached) and stores
 * the headers; the stored row is the processing queue's entry, and processing is the workers' (webhook-drain).
 * Held to ≥ 0.6 × the NestJS baseline's acknowledged events/s and a p99 under 100 ms; afterwards a node with workers
 * on the same queue processes every stored event (checked).
 */
export async function webhookIngest(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'POST /webhooks/:organization/:provider';
  const budget = 'events/s ≥ 0.6 × NestJS baseline, p99 < 100 ms';
  const owner = ctx.seed.owners[0];
  const organization = ctx.seed.organizationId;
  const secret = ctx.stripeWebhookSecret;
  const name = `bench-ingest-${ctx.seed.runId}`;
  const created = await fetch(`${ctx.servers.app.url}${API}/integrations/providers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.accessToken}` },
    body: JSON.stringify({ name, signature_scheme: 'hmac-sha256', secret }),
  });
  const provider = (await created.json().catch(() => undefined)) as { data?: { id: string } } | undefined;
  if (created.status !== 201 || !provider?.data) {
    return unavailable(
      'webhook-ingest',
      title,
      `POST /integrations/providers answers ${created.status} ${JSON.stringify(provider)}`,
      budget,
    );
  }
  const providerId = provider.data.id;
  const prefix = `bench_${ctx.seed.runId}_`;
  const appEvents = signedEvents(`${prefix}app_`, secret);
  const baselineEvents = signedEvents(`${prefix}baseline_`, secret);
  const path = `${API}/webhooks/${organization}/${name}`;
  const baselinePath = `/webhook-hmac/${organization}/${providerId}`;

  const probe = appEvents();
  const first = await post(ctx.servers.app.url + path, probe.body, probe.headers);
  const again = await post(ctx.servers.app.url + path, probe.body, probe.headers);
  const forged = await post(ctx.servers.app.url + path, probe.body.replace('user.updated', 'user.deleted'), probe.headers);
  if (first.status !== 200 || first.body?.data?.duplicate !== false || again.body?.data?.duplicate !== true || forged.status !== 401) {
    return unavailable(
      'webhook-ingest',
      title,
      `the app answers ${first.status}, ${again.status}, ${forged.status} to a new, repeated and forged event`,
      budget,
    );
  }
  for (const target of ['nest', 'http'] as const) {
    const e = baselineEvents();
    const ok = await post(ctx.servers[target].url + baselinePath, e.body, e.headers);
    const bad = await post(ctx.servers[target].url + baselinePath, e.body.replace('user.updated', 'user.deleted'), e.headers);
    if (ok.status !== 200 || bad.status !== 401)
      throw new Error(`baseline ${target} ${baselinePath}: ${ok.status} signed, ${bad.status} forged`);
  }
  const app: RequestSpec = { method: 'POST', path, next: appEvents };
  const baseline: RequestSpec = { method: 'POST', path: baselinePath, next: baselineEvents };
  // The api node of a scaled deployment (RUN_WORKERS=false): it verifies, stores and answers; processing is the
  // workers' (the webhook-drain row). Its own queue prefix (the deployment its rows belong to) keeps the bench app's
  // workers off its events while the load runs; a node with workers drains them afterwards.
  const scope = `${ctx.config.queue.prefix}_ingest`;
  const nodeEnv = { ...ctx.appEnv, QUEUE_PREFIX: scope };
  let apiNode: Server | undefined;
  let workerNode: Server | undefined;
  const db = new pg.Client({ connectionString: ctx.config.database.url, application_name: 'atrium-bench-integrations' });
  await db.connect();
  try {
    const port = await freePort();
    apiNode = await startServer({
      name: 'webhook-ingest api node',
      entry: 'apps/api/src/main.ts',
      port,
      readyPath: `${API}/health`,
      nodeArgs: productionNodeFlags(),
      env: { ...nodeEnv, RUN_WORKERS: 'false', PUBLIC_URL: `http://127.0.0.1:${port}` },
    });
    const o = await compare(title, { app, baseline }, { ...ctx.servers, app: apiNode }, ctx.settings);
    const checks: Check[] = [
      ratioCheck(title, o, 0.6),
      { scenario: title, budget: 'p99 < 100 ms', measured: `${o.targets.app.p99} ms`, pass: o.targets.app.p99 < 100 },
      noFailuresCheck(title, o),
    ];
    // Every acknowledged event was stored once and gets processed (user.updated: the external-user upsert) by a node
    // with workers on the api node's queue.
    const count = async () =>
      (
        await db.query<{ stored: number; settled: number }>(
          `SELECT count(*)::int AS stored, count(*) FILTER (WHERE status = 'completed')::int AS settled
             FROM webhook_events WHERE provider_id = $1 AND external_id LIKE $2`,
          [providerId, `${prefix}app_%`],
        )
      ).rows[0];
    const workerPort = await freePort();
    const started = Date.now();
    workerNode = await startServer({
      name: 'webhook-ingest worker node',
      entry: 'apps/api/src/main.ts',
      port: workerPort,
      readyPath: `${API}/health`,
      nodeArgs: productionNodeFlags(),
      env: { ...nodeEnv, RUN_WORKERS: 'true', PUBLIC_URL: `http://127.0.0.1:${workerPort}` },
    });
    let now = await count();
    while (now.settled < now.stored && Date.now() - started < 300_000) {
      await sleep(1000);
      now = await count();
    }
    const drainS = (Date.now() - started) / 1000;
    log(
      `  ${title}: ${now.stored} events stored; all ${now.settled} processed ${drainS.toFixed(1)} s after the load (node start included)`,
    );
    checks.push({
      scenario: title,
      budget: 'every stored event processed (informational: the drain rate is the webhook-drain row’s budget)',
      measured: `${now.settled} of ${now.stored}, backlog drained in ${drainS.toFixed(1)} s including the worker node's start`,
      pass: now.stored > 0 && now.settled === now.stored,
    });
    return {
      id: 'webhook-ingest',
      title,
      available: true,
      rows: comparedRows(title, o).map((r) => (r.target === 'app' ? { ...r, target: 'app (api node)' } : r)),
      checks,
      raw: o,
    };
  } finally {
    await apiNode?.stop().catch(() => undefined);
    await workerNode?.stop().catch(() => undefined);
    await db.query(`DROP SCHEMA IF EXISTS "bullmq_${scope}" CASCADE`).catch(() => undefined);
    await db
      .query(`DELETE FROM processed_events WHERE event_id IN (SELECT id FROM outbox_events WHERE scope = $1)`, [scope])
      .catch(() => undefined);
    await db.query(`DELETE FROM outbox_events WHERE scope = $1`, [scope]).catch(() => undefined);
    await db.end();
  }
}

/**
 * The queue drain: a backlog of stored `user.created` events (rows of the app's deployment, as the receiving statement
 * writes them, committed at once) processed by the app's worker runs (WebhookEventPump, found by its poll) with the
 * real handler (the external-user upsert). Events processed per second, from the commit to the last one completed;
 * the median of the rounds. Budget ≥ 500 events/s.
 */
export async function webhookDrain(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'webhook queue drain (user.created)';
  const budget = '≥ 500 processed events/s';
  // An owner of an organization of its own: the seeded one's provider slot (package limit) is webhook-ingest's.
  const owner = ctx.seed.owners[1] ?? ctx.seed.owners[0];
  const lookup = new pg.Client({ connectionString: ctx.config.database.url, application_name: 'atrium-bench-drain' });
  await lookup.connect();
  const organization = await lookup
    .query<{ organization_id: string }>(
      `SELECT m.organization_id FROM memberships m JOIN roles r ON r.id = m.role_id
        WHERE m.user_id = $1 AND r.slug = 'owner' ORDER BY m.organization_id <> $2 DESC LIMIT 1`,
      [owner.id, ctx.seed.organizationId],
    )
    .then((r) => r.rows[0]?.organization_id ?? ctx.seed.organizationId)
    .finally(() => lookup.end());
  const name = `bench-drain-${ctx.seed.runId}`;
  const created = await fetch(`${ctx.servers.app.url}${API}/integrations/providers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.accessToken}`, 'x-organization-id': organization },
    body: JSON.stringify({ name, signature_scheme: 'hmac-sha256' }),
  });
  const provider = (await created.json().catch(() => undefined)) as { data?: { id: string } } | undefined;
  if (created.status !== 201 || !provider?.data) {
    return unavailable(
      'webhook-drain',
      title,
      `POST /integrations/providers answers ${created.status} ${JSON.stringify(provider)}`,
      budget,
    );
  }
  const providerId = provider.data.id;
  const backlog = ctx.settings.quick ? 2_000 : 5_000;
  const db = new pg.Client({ connectionString: ctx.config.database.url, application_name: 'atrium-bench-drain' });
  await db.connect();
  try {
    const rates: number[] = [];
    for (let round = 0; round < ctx.settings.rounds; round++) {
      const prefix = `drain_${ctx.seed.runId}_${round}_`;
      const t0 = performance.now();
      await db.query(
        `INSERT INTO webhook_events (organization_id, provider_id, external_id, event_type, body, headers, scope)
         SELECT $1, $2, $3 || g, 'user.created',
                convert_to(jsonb_build_object('event_id', $3 || g, 'type', 'user.created',
                  'payload', jsonb_build_object('external_id', 'u' || $3 || g, 'email', 'drain-' || g || '@partner.bench.local',
                                                'name', 'Partner User'))::text, 'UTF8'),
                '{}'::jsonb, $5
           FROM generate_series(1, $4) g`,
        [organization, providerId, prefix, backlog, ctx.config.queue.prefix],
      );
      let done = 0;
      const deadline = Date.now() + 300_000;
      while (done < backlog && Date.now() < deadline) {
        await sleep(100);
        // What is still waiting or running, through the small pending index: counting the settled rows instead scanned
        // the provider's rows every 100 ms, a quarter of a core taken from the app on this machine.
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM webhook_events WHERE scope = $1 AND status IN ('received', 'processing') AND provider_id = $2`,
          [ctx.config.queue.prefix, providerId],
        );
        done = backlog - rows[0].n;
      }
      // Every one of them completed (not failed): checked below, with one external user each.
      const seconds = (performance.now() - t0) / 1000;
      const rate = done / seconds;
      rates.push(rate);
      log(`  ${title} · round ${round + 1}: ${done} of ${backlog} processed in ${seconds.toFixed(1)} s (${rate.toFixed(0)} events/s)`);
      if (done < backlog) break;
    }
    const { rows } = await db.query<{ n: number; completed: number }>(
      `SELECT (SELECT count(*)::int FROM integration_external_users WHERE provider_id = $1) AS n,
              (SELECT count(*)::int FROM webhook_events WHERE provider_id = $1 AND status = 'completed') AS completed`,
      [providerId],
    );
    const sorted = [...rates].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const expected = backlog * ctx.settings.rounds;
    return {
      id: 'webhook-drain',
      title,
      available: true,
      rows: [{ scenario: title, target: 'app (worker runs)', rps: median, p50: NaN, p99: NaN }],
      checks: [
        { scenario: title, budget, measured: `${median.toFixed(0)} events/s`, pass: median >= 500 },
        {
          scenario: title,
          budget: 'every event completed, one external user each',
          measured: `${rows[0].completed} of ${expected} completed, ${rows[0].n} external users`,
          pass: rows[0].n === expected && rows[0].completed === expected,
        },
      ],
      raw: { backlog, rates },
    };
  } finally {
    await db.end();
  }
}

import { createHmac } from 'node:crypto';
import pg from 'pg';
import { compare } from './compare.js';
import type { RequestSpec } from './load.js';
import type { BenchContext, Check, ScenarioReport } from './scenarios.js';
import { comparedRows, noFailuresCheck, ratioCheck, unavailable } from './scenarios.js';
import { log, sleep } from './util.js';

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
 * `INSERT … ON CONFLICT DO NOTHING` into the same `webhook_events`. The app does more per event — the provider lookup,
 * the outbox event in the same statement, and (in the background, on the same two cores) the relay, the queue and
 * the processing run — and is held to ≥ 0.6 × the NestJS baseline's acknowledged events/s and a p99 under 100 ms.
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
  const o = await compare(title, { app, baseline }, ctx.servers, ctx.settings);

  const checks: Check[] = [
    ratioCheck(title, o, 0.6),
    { scenario: title, budget: 'p99 < 100 ms', measured: `${o.targets.app.p99} ms`, pass: o.targets.app.p99 < 100 },
    noFailuresCheck(title, o),
  ];
  // Every acknowledged event was stored once and gets processed (`ignored`: no handler for user.updated yet).
  const db = new pg.Client({ connectionString: ctx.config.database.url, application_name: 'atrium-bench-integrations' });
  await db.connect();
  try {
    const count = async () =>
      (
        await db.query<{ stored: number; settled: number }>(
          `SELECT count(*)::int AS stored, count(*) FILTER (WHERE status = 'ignored')::int AS settled
             FROM webhook_events WHERE provider_id = $1 AND external_id LIKE $2`,
          [providerId, `${prefix}app_%`],
        )
      ).rows[0];
    const atEnd = await count();
    const started = Date.now();
    let now = atEnd;
    while (now.settled < now.stored && Date.now() - started < 120_000) {
      await sleep(1000);
      now = await count();
    }
    const drainS = (Date.now() - started) / 1000;
    log(
      `  ${title}: ${now.stored} events stored; ${atEnd.settled} processed when the load ended, all ${now.settled} ${drainS.toFixed(1)} s later`,
    );
    checks.push({
      scenario: title,
      budget: 'every stored event processed (informational: the queue drain rate is the next slice’s budget)',
      measured: `${now.settled} of ${now.stored}, backlog drained in ${drainS.toFixed(1)} s`,
      pass: now.stored > 0 && now.settled === now.stored,
    });
  } finally {
    await db.end();
  }
  return { id: 'webhook-ingest', title, available: true, rows: comparedRows(title, o), checks, raw: o };
}

import { spawn } from 'node:child_process';
import pg from 'pg';
import { compare } from './compare.js';
import type { RequestSpec } from './load.js';
import type { BenchContext, Row, ScenarioReport } from './scenarios.js';
import { comparedRows, noFailuresCheck, ratioCheck, unavailable } from './scenarios.js';
import { cpuMs, log, median, sampleRss } from './util.js';

const API = '/api/v1';
const ENTRIES = 1_000_000;
const ACTIONS = [
  'user.created',
  'user.updated',
  'user.revoked',
  'role.created',
  'role.updated',
  'role.deleted',
  'session.created',
  'session.revoked',
  'invitation.created',
  'invitation.accepted',
  'api_key.created',
  'api_key.rotated',
  'document.uploaded',
  'document.deleted',
  'organization.updated',
  'settings.updated',
  'chat.created',
  'message.deleted',
  'payment.created',
  'subscription.changed',
];

/**
 * The bench organization's trail: ENTRIES entries (written in one INSERT, then vacuumed) over the last ~12 days, actions round-robin (50,000 each), actors
 * round-robin over its members (~1,000 each), with before/after, as years of use would leave them; once per run.
 */
let seeded: Promise<void> | undefined;
function seedAuditTrail(ctx: BenchContext): Promise<void> {
  seeded ??= (async () => {
    const db = new pg.Client({ connectionString: ctx.config.database.url, application_name: 'atrium-bench-audit' });
    await db.connect();
    try {
      const started = Date.now();
      const actors = [ctx.seed.admin, ...ctx.seed.members];
      await db.query(
        `INSERT INTO audit_logs (organization_id, actor_user_id, actor_email, action, resource_type, resource_id, target, before, after,
                                 metadata, ip, user_agent, request_id, created_at)
         SELECT $1, ($2::uuid[])[1 + g % $5], ($3::text[])[1 + g % $5], ($4::text[])[1 + g % 20], 'user', gen_random_uuid()::text,
                'member-' || g || '@example.test', jsonb_build_object('first_name', 'Ann', 'status', 'active'),
                jsonb_build_object('first_name', 'Anne', 'status', 'active'), '{}', '203.0.113.7', 'Mozilla/5.0 (bench)',
                md5(g::text), now() - g * interval '1 second'
           FROM generate_series(1, $6::int) g`,
        [ctx.seed.organizationId, actors.map((a) => a.id), actors.map((a) => a.email), ACTIONS, actors.length, ENTRIES],
      );
      // What autovacuum does to an insert-only table after such a batch (PostgreSQL ≥ 13): statistics and the visibility
      // map, without which counting over an index still visits every row's page.
      await db.query('VACUUM (ANALYZE) audit_logs');
      log(`  audit: ${ENTRIES} entries seeded and vacuumed in ${Date.now() - started} ms`);
    } finally {
      await db.end();
    }
  })();
  return seeded;
}

/** One list row: `path` as the organization's admin, against the baselines answering it with the app's statement and mapping. */
async function listRow(ctx: BenchContext, id: string, title: string, path: string, check: (body: any) => boolean): Promise<ScenarioReport> {
  const budget = 'req/s ≥ 0.5 × NestJS baseline (same page)';
  await seedAuditTrail(ctx);
  const headers = { authorization: `Bearer ${ctx.seed.admin.accessToken}` };
  const probe = await fetch(`${ctx.servers.app.url}${API}${path}`, { headers });
  const body = (await probe.json()) as unknown;
  if (probe.status !== 200 || !check(body)) {
    return unavailable(id, title, `GET ${path} answers ${probe.status} ${JSON.stringify(body).slice(0, 200)}`, budget);
  }
  const theirs = await (await fetch(`${ctx.servers.nest.url}${path}`, { headers })).text();
  if (theirs !== JSON.stringify(body)) return unavailable(id, title, 'the baseline does not answer the same page as the app', budget);
  const next = () => ({ headers });
  const app: RequestSpec = { method: 'GET', path: API + path, next };
  const o = await compare(title, { app, baseline: { method: 'GET', path, next } }, ctx.servers, ctx.settings);
  return {
    id,
    title,
    available: true,
    rows: comparedRows(title, o),
    checks: [ratioCheck(title, o, 0.5), noFailuresCheck(title, o)],
    raw: o,
  };
}

/** `GET /audit-logs?page=1&limit=50&action=…` in an organization with 1,000,000 entries (50,000 of that action). */
export function auditListAction(ctx: BenchContext): Promise<ScenarioReport> {
  return listRow(
    ctx,
    'audit-list-action',
    'GET /audit-logs?page=1&limit=50&action=… (1,000,000 entries)',
    '/audit-logs?page=1&limit=50&action=user.updated',
    (b) => b?.data?.length === 50 && b.total === 10_000 && b.total_exact === false,
  );
}

/** `GET /audit-logs?page=1&limit=50&user_id=…` in an organization with 1,000,000 entries (~1,000 by that member). */
export function auditListUser(ctx: BenchContext): Promise<ScenarioReport> {
  const user = ctx.seed.members[0].id;
  return listRow(
    ctx,
    'audit-list-user',
    'GET /audit-logs?page=1&limit=50&user_id=… (1,000,000 entries)',
    `/audit-logs?page=1&limit=50&user_id=${user}`,
    (b) => b?.data?.length === 50 && b.total > 900 && b.data.every((e: any) => e.actor.user_id === user),
  );
}

interface Transfer {
  rows: number;
  seconds: number;
  cpuUsPerRow: number;
  peakRssMiB: number;
}

/** Reads a stream to its end, counting lines and bytes. */
async function drain(stream: AsyncIterable<Uint8Array>): Promise<{ lines: number; bytes: number }> {
  let lines = 0;
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return { lines, bytes };
}

/** The app's CSV export of the whole organization (a header line and one line per entry). */
async function appExport(ctx: BenchContext): Promise<Transfer> {
  const pid = ctx.servers.app.pid;
  const rss = sampleRss(pid, 100);
  const cpu = cpuMs(pid);
  const started = performance.now();
  const res = await fetch(`${ctx.servers.app.url}${API}/audit-logs/export?format=csv`, {
    headers: { authorization: `Bearer ${ctx.seed.admin.accessToken}` },
  });
  if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
  const { lines } = await drain(res.body as unknown as AsyncIterable<Uint8Array>);
  const seconds = (performance.now() - started) / 1000;
  const rows = lines - 1;
  return { rows, seconds, cpuUsPerRow: ((cpuMs(pid) - cpu) * 1000) / rows, peakRssMiB: rss.stop() };
}

/** PostgreSQL's own `COPY (the same rows, same order) TO STDOUT (FORMAT csv)` through psql, read by this process. */
async function copyExport(ctx: BenchContext): Promise<Transfer> {
  const sql = `COPY (SELECT a.id, a.created_at, a.action, a.resource_type, a.resource_id, a.target, a.actor_user_id, a.actor_email,
                            a.actor_api_key_id, a.actor_api_key_name, a.ip, a.user_agent, a.request_id, a.before, a.after, a.metadata
                       FROM audit_logs a WHERE a.organization_id = '${ctx.seed.organizationId}'
                      ORDER BY a.created_at DESC, a.seq DESC) TO STDOUT (FORMAT csv, HEADER)`;
  const started = performance.now();
  const psql = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', ctx.config.database.url!, '-c', sql], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number>((resolve, reject) => psql.on('error', reject).on('close', (code) => resolve(code ?? 1)));
  const { lines } = await drain(psql.stdout);
  if ((await exited) !== 0) throw new Error('psql COPY failed');
  return { rows: lines - 1, seconds: (performance.now() - started) / 1000, cpuUsPerRow: NaN, peakRssMiB: NaN };
}

/**
 * Export throughput: the app's CSV export of the organization's 1,000,000 entries (rows/s, read to the end by this
 * process) against PostgreSQL's own COPY of the same rows in the same order through psql, alternating which goes first.
 * The organization is put on Diamond (audit_export) for the row and back afterwards.
 */
export async function auditExport(ctx: BenchContext): Promise<ScenarioReport> {
  const id = 'audit-export';
  const title = 'GET /audit-logs/export?format=csv (1,000,000 entries)';
  const budget = 'rows/s ≥ 0.3 × PostgreSQL COPY TO STDOUT of the same rows';
  await seedAuditTrail(ctx);
  const db = new pg.Client({ connectionString: ctx.config.database.url, application_name: 'atrium-bench-audit' });
  await db.connect();
  const {
    rows: [{ package_id }],
  } = await db.query<{ package_id: number }>(`SELECT package_id FROM organization_subscriptions WHERE organization_id = $1`, [
    ctx.seed.organizationId,
  ]);
  try {
    await db.query(
      `UPDATE organization_subscriptions SET package_id = (SELECT id FROM packages WHERE slug = 'diamond') WHERE organization_id = $1`,
      [ctx.seed.organizationId],
    );
    const app: Transfer[] = [];
    const copy: Transfer[] = [];
    for (let round = 0; round < ctx.settings.rounds; round++) {
      const turn = round % 2 ? [copy, app] : [app, copy];
      for (const list of turn) {
        const r = list === app ? await appExport(ctx) : await copyExport(ctx);
        // The organization's own entries (registering, seeding its members) come on top of the seeded ones.
        const expected = copy[0]?.rows ?? app[0]?.rows ?? r.rows;
        if (r.rows < ENTRIES || r.rows !== expected)
          return unavailable(id, title, `${list === app ? 'the export' : 'COPY'} gave ${r.rows} rows`, budget);
        list.push(r);
        log(`  ${title} · round ${round + 1} · ${list === app ? 'app' : 'COPY'}: ${(r.rows / r.seconds).toFixed(0)} rows/s`);
      }
    }
    const rate = (t: Transfer) => t.rows / t.seconds;
    const ratio = median(app.map((a, i) => rate(a) / rate(copy[i])));
    const row = (target: string, list: Transfer[]): Row => ({
      scenario: `${title}, rows/s`,
      target,
      rps: median(list.map(rate)),
      p50: NaN,
      p99: NaN,
      peakRssMiB: Math.max(...list.map((t) => t.peakRssMiB)),
      cpuUsPerReq: median(list.map((t) => t.cpuUsPerRow)),
    });
    return {
      id,
      title,
      available: true,
      rows: [{ ...row('app (CPU µs per row)', app) }, row('PostgreSQL COPY via psql', copy)],
      checks: [{ scenario: title, budget, measured: `${ratio.toFixed(3)} ×`, pass: ratio >= 0.3 }],
      raw: { app, copy, ratio },
    };
  } finally {
    await db.query(`UPDATE organization_subscriptions SET package_id = $2 WHERE organization_id = $1`, [
      ctx.seed.organizationId,
      package_id,
    ]);
    await db.end();
  }
}

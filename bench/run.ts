import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '@atrium/platform';
import type { Settings, TargetName } from './lib/compare.js';
import { openDatabase, vacuum } from './lib/database.js';
import { budgetTable, resultsTable, writeResults } from './lib/report.js';
import * as auditScenarios from './lib/audit-scenarios.js';
import * as auditWriteScenarios from './lib/audit-write-scenarios.js';
import * as chatScenarios from './lib/chat-scenarios.js';
import * as documentScenarios from './lib/document-scenarios.js';
import * as integrationScenarios from './lib/integration-scenarios.js';
import * as notificationScenarios from './lib/notification-scenarios.js';
import * as rotationScenarios from './lib/rotation-scenarios.js';
import * as scenarios from './lib/scenarios.js';
import { BENCH_PASSWORD, seed } from './lib/seed.js';
import { productionNodeFlags, ROOT, type Server, startServer } from './lib/servers.js';
import { freePort, log } from './lib/util.js';

/**
 * `npm run bench` (3 rounds × 10 s per scenario and target) or `npm run bench -- --quick` (1 round × 3 s).
 * Options: `--only=users-me-jwt,refresh,…`, `--rounds=N`, `--duration=S`, `--cpu-prof` (each server writes a V8 CPU
 * profile under bench/results/profiles/<server>/ when it stops).
 */
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const cpuProf = args.includes('--cpu-prof');
const numberArg = (name: string) => {
  const v = args.find((a) => a.startsWith(`--${name}=`));
  return v ? Number(v.slice(name.length + 3)) : undefined;
};
const settings: Settings = quick
  ? { quick, rounds: 1, duration: 3, warmup: 1, connections: 50 }
  : { quick, rounds: 3, duration: 10, warmup: 3, connections: 50 };
settings.rounds = numberArg('rounds') ?? settings.rounds;
settings.duration = numberArg('duration') ?? settings.duration;
const USERS = 1000;
/** Organizations with an owner for the billing rows (quotes are per organization). */
const OWNER_ORGANIZATIONS = 10;
const profile = (server: string) => (cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(RESULTS, 'profiles', server)}`] : []);
const RESULTS = resolve(ROOT, 'bench/results');

const ORDER = [
  'memory',
  'users-me-jwt',
  'users-list-admin',
  'api-key',
  'refresh',
  'refresh-rotation',
  'login',
  'outbox',
  'outbox-write',
  'billing-webhook',
  'billing-quote',
  'chat-fanout',
  'chat-sustained',
  'chats-list',
  'notifications-count',
  'notifications-list',
  'notifications-fanout',
  'documents-upload',
  'audit-list-action',
  'audit-list-user',
  'audit-export',
  'audit-write',
  'webhook-ingest',
  'webhook-drain',
] as const;
const RUNNERS: Record<(typeof ORDER)[number], (ctx: scenarios.BenchContext) => Promise<scenarios.ScenarioReport>> = {
  memory: scenarios.memory,
  'users-me-jwt': scenarios.usersMeJwt,
  'users-list-admin': scenarios.usersListAdmin,
  'api-key': scenarios.apiKey,
  refresh: scenarios.refresh,
  'refresh-rotation': rotationScenarios.refreshRotation,
  login: scenarios.login,
  outbox: scenarios.outbox,
  'outbox-write': scenarios.outboxWrite,
  'billing-webhook': scenarios.billingWebhook,
  'billing-quote': scenarios.billingQuote,
  'chat-fanout': chatScenarios.chatFanout,
  'chat-sustained': chatScenarios.chatSustained,
  'chats-list': chatScenarios.chatsList,
  'notifications-count': notificationScenarios.notificationsCount,
  'notifications-list': notificationScenarios.notificationsList,
  'notifications-fanout': notificationScenarios.notificationsFanout,
  'documents-upload': documentScenarios.documentsUpload,
  'audit-list-action': auditScenarios.auditListAction,
  'audit-list-user': auditScenarios.auditListUser,
  'audit-export': auditScenarios.auditExport,
  'audit-write': auditWriteScenarios.auditWrite,
  'webhook-ingest': integrationScenarios.webhookIngest,
  'webhook-drain': integrationScenarios.webhookDrain,
};

async function expectOk(what: string, res: Promise<Response>): Promise<void> {
  const r = await res;
  if (r.status !== 200) throw new Error(`${what} answered ${r.status}: ${await r.text()}`);
}

async function main(): Promise<void> {
  const started = new Date();
  const db = await openDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-bench-data-'));
  const secrets = { JWT_SECRET: randomBytes(32).toString('base64url'), ENCRYPTION_KEY: randomBytes(32).toString('hex') };
  // Access tokens minted at seed time must outlive the run (the app's default is 15 minutes).
  const env = { ...secrets, JWT_ACCESS_TTL_SECONDS: '86400' };
  // The app and the baselines verify Stripe callbacks with it; the scenario signs them with it.
  const stripeWebhookSecret = `whsec_${randomBytes(24).toString('hex')}`;
  // REDIS_URL as the app sees it (servers inherit the environment): scenarios that emit through the adapter use the same one.
  const config = loadConfig({ ...env, DATABASE_URL: db.url, DATA_DIR: dataDir, REDIS_URL: process.env.REDIS_URL });
  const servers: Partial<Record<TargetName, Server>> = {};
  const data = await seed(db.url, config, USERS, OWNER_ORGANIZATIONS);
  log(`seeded organization ${data.organizationId} with ${USERS} users`);
  const queuePrefix = `bench_${data.runId}`;
  try {
    const [appPort, nestPort, httpPort] = [await freePort(), await freePort(), await freePort()];
    const appEnv: Record<string, string> = {
      ...env,
      NODE_ENV: 'production',
      // Production requires an allowlist; the load sends no Origin, so CORS adds nothing to its answers.
      CORS_ORIGINS: 'https://app.bench.invalid',
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${appPort}`,
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      MIGRATIONS_RUN: 'false',
      QUEUE_PREFIX: queuePrefix,
      LOG_LEVEL: 'warn',
      // No mail is sent under load; production refuses the file transport unless told.
      MAIL_FILE_TRANSPORT: 'true',
      // The rate limiter would turn the load away; the bench measures everything behind it (the guard still runs).
      RATE_LIMIT_AUTH_PER_MINUTE: '1000000000',
      RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000000',
      RATE_LIMIT_INBOUND_PER_MINUTE: '1000000000',
      WEBHOOK_RATE_LIMIT_PER_MINUTE: '1000000000',
      // The webhook worker runs 50 events at once; on PostgreSQL its queue gets connections to match (README, Integrations).
      WEBHOOK_QUEUE_POOL_SIZE: '12',
      // The audit rows seed 1,000,000 entries at once; sealing that backlog (a minute of database CPU, once) is not what
      // a list or an export costs, so the bench app seals nothing.
      AUDIT_SEAL_INTERVAL_SECONDS: '0',
      // Likewise the per-socket send limit: the sustained chat row measures how many messages the app accepts.
      MESSAGE_SOCKET_SENDS_PER_10S: '10000',
      // The Stripe gateway must be configured for its callback route; the bench's events name no charge, so the
      // app never calls this API address (nothing listens there: a call would fail the request).
      STRIPE_SECRET_KEY: 'sk_test_bench',
      STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
      STRIPE_API_URL: 'http://127.0.0.1:9',
    };
    servers.app = await startServer({
      name: 'app',
      entry: 'apps/api/src/main.ts',
      port: appPort,
      readyPath: '/api/v1/health',
      nodeArgs: [...productionNodeFlags(), ...profile('app')],
      env: appEnv,
    });
    const baselineEnv = { ...env, DATABASE_URL: db.url, STRIPE_WEBHOOK_SECRET: stripeWebhookSecret };
    servers.nest = await startServer({
      name: 'baseline-nest',
      entry: 'bench/baseline/nest-server.ts',
      port: nestPort,
      readyPath: '/me',
      env: baselineEnv,
      nodeArgs: profile('baseline-nest'),
    });
    servers.http = await startServer({
      name: 'baseline-http',
      entry: 'bench/baseline/http-server.ts',
      port: httpPort,
      readyPath: '/me',
      env: baselineEnv,
      nodeArgs: profile('baseline-http'),
    });

    const member = data.members[0];
    const auth = { authorization: `Bearer ${member.accessToken}` };
    await expectOk('app GET /users/me', fetch(`${servers.app.url}/api/v1/users/me`, { headers: auth }));
    await expectOk('baseline-nest GET /me', fetch(`${servers.nest.url}/me`, { headers: auth }));
    await expectOk('baseline-http GET /me', fetch(`${servers.http.url}/me`, { headers: auth }));
    await expectOk(
      'app POST /auth/login',
      fetch(`${servers.app.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: data.admin.email, password: BENCH_PASSWORD }),
      }),
    );

    const ctx: scenarios.BenchContext = {
      servers: servers as Record<TargetName, Server>,
      // As the app runs: its queue namespace is also the scope of the outbox events its relay delivers.
      config: config.with({ queue: { ...config.queue, prefix: queuePrefix } }),
      settings,
      seed: data,
      cores: availableParallelism(),
      stripeWebhookSecret,
      appEnv,
    };
    // Every run, whole or --only, measures warm processes (the memory row's 200k requests used to be the only warm-up).
    log('warm-up');
    await scenarios.warmUp(ctx, quick ? 5_000 : 20_000);
    const reports: scenarios.ScenarioReport[] = [];
    for (const id of ORDER) {
      if (only && !only.includes(id)) continue;
      await vacuum(db.url);
      log(`scenario ${id}`);
      reports.push(await RUNNERS[id](ctx));
    }

    const meta = {
      started: started.toISOString(),
      finished: new Date().toISOString(),
      quick,
      settings,
      machine: { cores: availableParallelism(), cpu: cpus()[0]?.model, loadavgAtEnd: loadavg(), node: process.version },
      database: db.embedded ? 'embedded PostgreSQL 15' : 'DATABASE_URL',
      users: USERS,
    };
    const file = writeResults(RESULTS, meta, reports);
    const out = [
      '',
      `Atrium bench — ${meta.database}, ${USERS} users, ${settings.rounds} round(s) × ${settings.duration} s, ${settings.connections} connections, ${meta.machine.cores} cores${quick ? ' (quick smoke run)' : ''}`,
      '',
      resultsTable(reports),
      '',
      budgetTable(reports),
      '',
      `JSON: ${file}`,
      '',
    ];
    process.stdout.write(out.join('\n'));
  } finally {
    for (const s of Object.values(servers)) await s?.stop().catch(() => undefined);
    if (!db.embedded) {
      await data.cleanup().catch((e: unknown) => log(`cleanup failed: ${String(e)}`));
      await import('pg').then(async ({ default: pg }) => {
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        try {
          await c.query(`DROP SCHEMA IF EXISTS "bullmq_${queuePrefix}" CASCADE`);
          // The run's own events (e.g. the offline announcements the app wrote as it stopped): no relay of this run's
          // scope is left to deliver them.
          await c.query(`DELETE FROM processed_events WHERE event_id IN (SELECT id FROM outbox_events WHERE scope = $1)`, [queuePrefix]);
          await c.query(`DELETE FROM outbox_events WHERE scope = $1`, [queuePrefix]);
        } finally {
          await c.end();
        }
      });
    }
    await data.close();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

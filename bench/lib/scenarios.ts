import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import Stripe from 'stripe';
import type { AppConfig } from '@atrium/platform';
import { STRIPE_API_VERSION } from '@atrium/billing/gateways/stripe/stripe-client.js';
import { compare, type CompareOutcome, type Settings, type TargetName } from './compare.js';
import { type LoadResult, type RequestSpec, runLoad } from './load.js';
import { BENCH_PASSWORD, type Seed } from './seed.js';
import type { Server } from './servers.js';
import { log, median, rssMiB, sleep } from './util.js';

export interface Row {
  scenario: string;
  target: string;
  rps: number;
  p50: number;
  p99: number;
  xNest?: number;
  xHttp?: number;
  peakRssMiB?: number;
  cpuUsPerReq?: number;
}

export interface Check {
  scenario: string;
  budget: string;
  measured: string;
  /** undefined: the scenario could not run (endpoint not available). */
  pass?: boolean;
}

export interface ScenarioReport {
  id: string;
  title: string;
  available: boolean;
  reason?: string;
  rows: Row[];
  checks: Check[];
  raw?: unknown;
}

export interface BenchContext {
  servers: Record<TargetName, Server>;
  /** The configuration the app runs with (database, Redis), for scenarios that reach its database or adapter. */
  config: AppConfig;
  settings: Settings;
  seed: Seed;
  cores: number;
  /** The `whsec_…` the app (STRIPE_WEBHOOK_SECRET) and the baselines verify Stripe callbacks with. */
  stripeWebhookSecret: string;
  /** The environment the app was started with, for scenarios that start instances of their own (`audit-write`). */
  appEnv: Record<string, string>;
}

const API = '/api/v1';

function cycle<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length];
}

const bearer = (next: () => string) => () => ({ headers: { authorization: `Bearer ${next()}` } });

export function baselineSpec(ctx: BenchContext): RequestSpec {
  return { method: 'GET', path: '/me', next: bearer(cycle(ctx.seed.members.map((m) => m.accessToken))) };
}

function meSpec(ctx: BenchContext): RequestSpec {
  return { method: 'GET', path: `${API}/users/me`, next: bearer(cycle(ctx.seed.members.map((m) => m.accessToken))) };
}

/**
 * Brings every server to the steady state a long-running process is in before anything is measured: `amount`
 * `GET /users/me` requests each (the app's route, the baselines' `/me`). Each scenario also warms its own route for
 * its first round, but a few seconds warm the small baselines and not the app: its JIT and its startup garbage took
 * the first measured scenario of a partial run 5–10 % below the same scenario measured later in the same process.
 */
export async function warmUp(ctx: BenchContext, amount: number): Promise<void> {
  const specs: Record<TargetName, RequestSpec> = { app: meSpec(ctx), nest: baselineSpec(ctx), http: baselineSpec(ctx) };
  for (const target of Object.keys(specs) as TargetName[]) {
    const r = await runLoad(ctx.servers[target].url, specs[target], { connections: ctx.settings.connections, amount });
    log(`warm-up ${target}: ${amount} requests (${r.rps.toFixed(0)} req/s)`);
  }
}

async function call(ctx: BenchContext, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(ctx.servers.app.url + API + path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined };
}

export function comparedRows(title: string, o: CompareOutcome): Row[] {
  const t = o.targets;
  return [
    { scenario: title, target: 'app', ...pick(t.app), xNest: o.ratio.nest, xHttp: o.ratio.http },
    { scenario: title, target: 'baseline: NestJS', ...pick(t.nest) },
    { scenario: title, target: 'baseline: node:http', ...pick(t.http) },
  ];
}

const pick = (s: { rps: number; p50: number; p99: number; peakRssMiB: number; cpuUsPerReq: number }) => ({
  rps: s.rps,
  p50: s.p50,
  p99: s.p99,
  peakRssMiB: s.peakRssMiB,
  cpuUsPerReq: s.cpuUsPerReq,
});

export function ratioCheck(scenario: string, o: CompareOutcome, min: number): Check {
  return {
    scenario,
    budget: `req/s ≥ ${min} × NestJS baseline`,
    measured: `${o.ratio.nest.toFixed(3)} ×`,
    pass: o.ratio.nest >= min,
  };
}

/** Every answer of every round (app and baselines) was 2xx: a row that refused or lost requests measures nothing. */
export function noFailuresCheck(scenario: string, o: CompareOutcome): Check {
  const failed = (Object.keys(o.targets) as TargetName[]).flatMap((t) =>
    o.targets[t].rounds.filter((r) => r.failed > 0).map((r) => `${t}: ${r.failed} (${JSON.stringify(r.statusCodes)})`),
  );
  return { scenario, budget: 'every answer 2xx', measured: failed.length ? failed.join('; ') : '0 failed', pass: failed.length === 0 };
}

function p99Check(scenario: string, o: CompareOutcome, max: number): Check {
  return {
    scenario,
    budget: `p99 ≤ ${max} × NestJS baseline p99`,
    measured: `${o.p99Ratio.nest.toFixed(3)} × (${o.targets.app.p99} vs ${o.targets.nest.p99} ms)`,
    pass: o.p99Ratio.nest <= max,
  };
}

export function unavailable(id: string, title: string, reason: string, budget: string): ScenarioReport {
  log(`${title}: not available (${reason})`);
  return { id, title, available: false, reason, rows: [], checks: [{ scenario: title, budget, measured: `not available: ${reason}` }] };
}

export async function usersMeJwt(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'GET /users/me (JWT)';
  const o = await compare(title, { app: meSpec(ctx), baseline: baselineSpec(ctx) }, ctx.servers, ctx.settings);
  return {
    id: 'users-me-jwt',
    title,
    available: true,
    rows: comparedRows(title, o),
    checks: [
      ratioCheck(title, o, 0.8),
      {
        scenario: title,
        budget: 'p99 ≤ 1.5 × NestJS baseline p99',
        measured: `${o.p99Ratio.nest.toFixed(3)} × (${o.targets.app.p99} vs ${o.targets.nest.p99} ms)`,
        pass: o.p99Ratio.nest <= 1.5,
      },
    ],
    raw: o,
  };
}

export async function usersListAdmin(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'GET /users?page=1&limit=10 (admin)';
  const path = '/users?page=1&limit=10';
  const headers = { authorization: `Bearer ${ctx.seed.admin.accessToken}` };
  const probe = await call(ctx, 'GET', path, headers);
  if (probe.status !== 200) {
    return unavailable('users-list-admin', title, `GET ${API}${path} answers ${probe.status}`, 'req/s ≥ 0.6 × NestJS baseline');
  }
  const app: RequestSpec = { method: 'GET', path: API + path, headers };
  const o = await compare(title, { app, baseline: baselineSpec(ctx) }, ctx.servers, ctx.settings);
  return { id: 'users-list-admin', title, available: true, rows: comparedRows(title, o), checks: [ratioCheck(title, o, 0.6)], raw: o };
}

export async function apiKey(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'GET /users/me (x-api-key)';
  const budget = 'req/s ≥ 0.7 × NestJS baseline';
  const created = await call(ctx, 'POST', '/api-keys', { authorization: `Bearer ${ctx.seed.admin.accessToken}` }, { name: 'bench' });
  const key = (created.body?.data as { key?: string } | undefined)?.key;
  if (created.status !== 201 || !key) return unavailable('api-key', title, `POST ${API}/api-keys answers ${created.status}`, budget);
  const me = await call(ctx, 'GET', '/users/me', { 'x-api-key': key });
  if (me.status !== 200) return unavailable('api-key', title, `GET ${API}/users/me with x-api-key answers ${me.status}`, budget);
  const app: RequestSpec = { method: 'GET', path: `${API}/users/me`, headers: { 'x-api-key': key } };
  const o = await compare(title, { app, baseline: baselineSpec(ctx) }, ctx.servers, ctx.settings);
  return { id: 'api-key', title, available: true, rows: comparedRows(title, o), checks: [ratioCheck(title, o, 0.7)], raw: o };
}

export async function refresh(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'POST /auth/refresh';
  let pool: string[] = [];
  let used = 0;
  let lastSeconds = 0;
  const app: RequestSpec = {
    method: 'POST',
    path: `${API}/auth/refresh`,
    next: () => ({ body: `{"refresh_token":"${pool[used++] ?? 'pool-exhausted'}"}` }),
  };
  const o = await compare(
    title,
    {
      app,
      baseline: baselineSpec(ctx),
      // One fresh refresh token per request, sized from the previous run's rate (2,000/s before the first).
      beforeAppRun: async (seconds) => {
        const rate = lastSeconds ? used / lastSeconds : 2000;
        pool = await ctx.seed.mintRefreshTokens(Math.ceil(rate * seconds * 1.5) + 1000);
        used = 0;
        lastSeconds = seconds;
      },
    },
    ctx.servers,
    ctx.settings,
  );
  return { id: 'refresh', title, available: true, rows: comparedRows(title, o), checks: [ratioCheck(title, o, 0.4)], raw: o };
}

/**
 * Logins at 20 connections while a fixed-rate GET /users/me probe runs beside them: the probe's p99 must
 * stay within 2 × its p99 with no logins running (password hashing must not stall the event loop).
 */
export async function login(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'POST /auth/login (20 conn.)';
  const { app } = ctx.servers;
  const emails = cycle(ctx.seed.members.map((m) => m.email));
  const loginSpec: RequestSpec = {
    method: 'POST',
    path: `${API}/auth/login`,
    next: () => ({ body: JSON.stringify({ email: emails(), password: BENCH_PASSWORD }) }),
  };
  const probe = meSpec(ctx);
  const probeOpts = { connections: 10, duration: ctx.settings.duration, overallRate: 100 };
  if (ctx.settings.warmup) await runLoad(app.url, loginSpec, { connections: 20, duration: ctx.settings.warmup });
  const idle: LoadResult[] = [];
  const loaded: LoadResult[] = [];
  const logins: LoadResult[] = [];
  for (let round = 0; round < ctx.settings.rounds; round++) {
    idle.push(await runLoad(app.url, probe, probeOpts, app.pid));
    const [l, p] = await Promise.all([
      runLoad(app.url, loginSpec, { connections: 20, duration: ctx.settings.duration }, app.pid),
      runLoad(app.url, probe, probeOpts),
    ]);
    logins.push(l);
    loaded.push(p);
    log(
      `  ${title} · round ${round + 1}: ${l.rps.toFixed(1)} logins/s (p99 ${l.p99} ms, ${l.failed} failed); probe p99 idle ${idle[round].p99} ms, under logins ${p.p99} ms`,
    );
  }
  const m = (rs: typeof idle, k: 'rps' | 'p50' | 'p99') => median(rs.map((r) => r[k]));
  const stall = median(loaded.map((p, i) => p.p99 / idle[i].p99));
  const minLogins = ctx.cores * 8;
  const peak = Math.max(...logins.map((r) => r.peakRssMiB), ...idle.map((r) => r.peakRssMiB));
  return {
    id: 'login',
    title,
    available: true,
    rows: [
      {
        scenario: title,
        target: 'app',
        rps: m(logins, 'rps'),
        p50: m(logins, 'p50'),
        p99: m(logins, 'p99'),
        peakRssMiB: peak,
        cpuUsPerReq: median(logins.map((r) => r.cpuUsPerReq)),
      },
      { scenario: 'GET /users/me probe, 100 req/s, idle', target: 'app', rps: m(idle, 'rps'), p50: m(idle, 'p50'), p99: m(idle, 'p99') },
      {
        scenario: 'GET /users/me probe, 100 req/s, during logins',
        target: 'app',
        rps: m(loaded, 'rps'),
        p50: m(loaded, 'p50'),
        p99: m(loaded, 'p99'),
      },
    ],
    checks: [
      {
        scenario: title,
        budget: `logins/s ≥ cores × 8 = ${minLogins}`,
        measured: m(logins, 'rps').toFixed(1),
        pass: m(logins, 'rps') >= minLogins,
      },
      {
        scenario: title,
        budget: 'probe p99 during logins ≤ 2 × idle p99',
        measured: `${stall.toFixed(3)} × (${m(loaded, 'p99')} vs ${m(idle, 'p99')} ms)`,
        pass: stall <= 2,
      },
    ],
    raw: { idle, loaded, logins },
  };
}

/** RSS of the app after the first N requests and after 10 × N: growth must stay within 10 %. Runs first, on a fresh process. */
export async function memory(ctx: BenchContext): Promise<ScenarioReport> {
  const first = ctx.settings.quick ? 5_000 : 20_000;
  const total = first * 10;
  const title = `memory: RSS after ${total / 1000}k vs ${first / 1000}k requests`;
  const { app } = ctx.servers;
  const settle = async () => {
    await sleep(2000);
    const samples: number[] = [];
    for (let i = 0; i < 5; i++, await sleep(200)) samples.push(rssMiB(app.pid));
    return median(samples);
  };
  const spec = meSpec(ctx);
  const a = await runLoad(app.url, spec, { connections: ctx.settings.connections, amount: first }, app.pid);
  const rssFirst = await settle();
  log(`  memory: ${first} requests (${a.rps.toFixed(0)} req/s), RSS ${rssFirst.toFixed(1)} MiB`);
  const b = await runLoad(app.url, spec, { connections: ctx.settings.connections, amount: total - first }, app.pid);
  const rssTotal = await settle();
  const growth = (rssTotal - rssFirst) / rssFirst;
  log(`  memory: ${total} requests (${b.rps.toFixed(0)} req/s), RSS ${rssTotal.toFixed(1)} MiB (${(growth * 100).toFixed(1)} %)`);
  return {
    id: 'memory',
    title,
    available: true,
    rows: [
      {
        scenario: title,
        target: 'app',
        rps: b.rps,
        p50: b.p50,
        p99: b.p99,
        peakRssMiB: Math.max(a.peakRssMiB, b.peakRssMiB),
        cpuUsPerReq: b.cpuUsPerReq,
      },
    ],
    checks: [
      {
        scenario: 'memory',
        budget: `RSS after ${total / 1000}k requests within 10 % of RSS after ${first / 1000}k`,
        measured: `${rssFirst.toFixed(1)} → ${rssTotal.toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %)`,
        pass: growth <= 0.1,
      },
    ],
    raw: { first, total, rssFirst, rssTotal, a, b },
  };
}

/** Percentile of already-sorted values. */
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/**
 * `workers` concurrent loops, each calling `op(worker, n)` again as soon as the last call returned, for `seconds`:
 * the calls per second, p50 and p99 latency (ms), and how many calls there were.
 */
export async function closedLoop(
  workers: number,
  seconds: number,
  op: (worker: number, n: number) => Promise<unknown>,
): Promise<{ rps: number; p50: number; p99: number; count: number }> {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let n = 0; performance.now() < until; n++) {
        const t0 = performance.now();
        await op(worker, n);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: latencies.length };
}

/** p50 and p99 of sequential latencies (ms), and the rate they add up to. */
export const latencySummary = (latencies: number[]) => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    rps: latencies.length / (latencies.reduce((a, b) => a + b, 0) / 1000),
  };
};

/** Connects `count` sockets, a few at a time (a burst of handshakes is not what is measured). */
export async function connectMany(count: number, open: (i: number) => Promise<Socket>): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i += 25) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(25, count - i) }, (_, j) => open(i + j)))));
  }
  return sockets;
}

/** A socket.io client on `url`, once it has had the event `admittedOn` (the app's `connected`: in its rooms). */
export async function connectSocket(url: string, query: Record<string, string>, admittedOn: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], query, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket not admitted within 15 s at ${url}`)), 15_000);
    socket.once(admittedOn, () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  return socket;
}

/**
 * Domain events through the outbox: commit → socket receipt latency for an event pushed to a user room (the app's
 * relay delivers it), against committing and then emitting directly through the socket.io adapter (what an
 * in-process publish on another instance costs); and the relay's throughput to a no-op subscriber (the built-in
 * `realtime` one, for events with no rooms).
 */
export async function outbox(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'outbox: commit → socket receipt';
  const member = ctx.seed.members[0];
  const samples = ctx.settings.quick ? 200 : 1000;
  const { createDataSource, AtriumSocketAdapter, Outbox } = await import('@atrium/platform');
  const { createServer } = await import('node:http');
  const ds = createDataSource({
    url: ctx.config.database.url!,
    entities: [],
    migrations: [],
    poolSize: 4,
    applicationName: 'atrium-bench-outbox',
  });
  await ds.initialize();
  // A socket.io server on the app's fan-out adapter, attached to an HTTP server that never listens (as the worker emits).
  const fanout = new AtriumSocketAdapter(createServer() as never, ctx.config);
  await fanout.connect();
  const emitter = fanout.createIOServer(0);
  // Admitted: in its user room, so the first sample does not wait for the join.
  const socket = await connectSocket(ctx.servers.app.url, { token: member.accessToken }, 'connected');
  try {
    const receipt = (name: string, i: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} #${i} not received within 10 s`)), 10_000);
        const on = (p: { i: number }) => {
          if (p.i !== i) return;
          socket.off(name, on);
          clearTimeout(timer);
          resolve();
        };
        socket.on(name, on);
      });
    const outboxWriter = new Outbox(ctx.config);
    const room = [`user:${member.id}`];
    const measure = async (kind: 'direct' | 'outbox') => {
      const latencies: number[] = [];
      for (let i = 0; i < samples; i++) {
        const name = `bench.${kind}`;
        const got = receipt(name, i);
        const t0 = performance.now();
        if (kind === 'outbox') {
          await ds.transaction(async (em) =>
            outboxWriter.add(em, { name, organizationId: ctx.seed.organizationId, payload: { i }, rooms: room }),
          );
        } else {
          await ds.transaction((em) => em.query('SELECT 1'));
          emitter.to(room).emit(name, { i });
        }
        await got;
        latencies.push(performance.now() - t0);
      }
      return latencySummary(latencies);
    };
    const direct = await measure('direct');
    const durable = await measure('outbox');
    log(
      `  ${title}: direct p50 ${direct.p50.toFixed(1)} / p99 ${direct.p99.toFixed(1)} ms; outbox p50 ${durable.p50.toFixed(1)} / p99 ${durable.p99.toFixed(1)} ms`,
    );

    // Throughput: a backlog of roomless events, committed at once, drained by the app's relay.
    const backlog = ctx.settings.quick ? 5_000 : 20_000;
    const t0 = performance.now();
    await ds.query(
      `WITH ins AS (
         INSERT INTO outbox_events (id, name, organization_id, payload, scope)
         SELECT gen_random_uuid(), 'bench.noop', $1, jsonb_build_object('i', g), $3 FROM generate_series(1, $2) g RETURNING 1
       ) SELECT pg_notify('atrium_outbox', '') FROM (SELECT count(*) FROM ins) c`,
      [ctx.seed.organizationId, backlog, outboxWriter.scope],
    );
    for (;;) {
      const [{ n }] = await ds.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM outbox_events WHERE name = 'bench.noop' AND scope = $1 AND delivered_at IS NULL`,
        [outboxWriter.scope],
      );
      if (n === 0) break;
      await sleep(50);
    }
    const perSecond = backlog / ((performance.now() - t0) / 1000);
    log(`  outbox relay: ${backlog} events in ${((backlog / perSecond) * 1000).toFixed(0)} ms (${perSecond.toFixed(0)} events/s)`);
    const budget = 3 * direct.p99 + 20;
    return {
      id: 'outbox',
      title,
      available: true,
      rows: [
        { scenario: `${title} (user room)`, target: 'app: outbox + relay', ...durable },
        { scenario: `${title} (user room)`, target: 'direct emit via adapter', ...direct },
        { scenario: 'outbox relay, no-op subscriber', target: 'app', rps: perSecond, p50: NaN, p99: NaN },
      ],
      checks: [
        {
          scenario: title,
          budget: 'p99 ≤ 3 × direct p99 + 20 ms',
          measured: `${durable.p99.toFixed(1)} ms vs ${budget.toFixed(1)} ms`,
          pass: durable.p99 <= budget,
        },
        { scenario: 'outbox relay', budget: '≥ 2,000 events/s', measured: `${perSecond.toFixed(0)} events/s`, pass: perSecond >= 2000 },
      ],
      raw: { direct, durable, backlog, perSecond },
    };
  } finally {
    socket.close();
    await fanout.close(emitter);
    await ds.destroy();
  }
}

/**
 * The write path's cost of durability: a `POST /auth/refresh`-like write (touch the session, store the next
 * token's hash) run by 8 concurrent writers, in a transaction with and without one `Outbox.add`, rounds
 * interleaved, all writers on one organization when the event names one (the busiest case for its ordering). The
 * statement alone, as the real refresh runs it (one round trip, no BEGIN/COMMIT), is shown for reference.
 */
export async function outboxWrite(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'outbox: write-path overhead (refresh-like write)';
  const { createDataSource, Outbox } = await import('@atrium/platform');
  const writers = 8;
  const ds = createDataSource({
    url: ctx.config.database.url!,
    entities: [],
    migrations: [],
    poolSize: writers,
    applicationName: 'atrium-bench-outbox-write',
  });
  await ds.initialize();
  // The write path alone: events go to a scope no relay serves (deleted afterwards), so the app's relay delivering
  // them does not share the 2 cores with the writers; delivery has its own row (`outbox relay`).
  const scope = `bench-write-${ctx.seed.runId}`;
  const outboxWriter = new Outbox(ctx.config.with({ queue: { ...ctx.config.queue, prefix: scope } }));
  const sessions = ctx.seed.members.map((m) => m.sessionId);
  const WRITE = `WITH live AS (UPDATE sessions SET last_used_at = now(), updated_at = now() WHERE id = $1 RETURNING id)
                 INSERT INTO refresh_tokens (session_id, token_hash) SELECT id, $2 FROM live`;
  let n = 0;
  const next = () => {
    n++;
    return [sessions[n % sessions.length], `bench-${ctx.seed.runId}-${n}-${Math.random().toString(36).slice(2)}`];
  };
  type Variant = 'statement' | 'transaction' | 'transaction + outbox.add' | 'transaction + outbox.add (organization)';
  const variants: Record<Variant, () => Promise<unknown>> = {
    statement: () => ds.query(WRITE, next()),
    transaction: () => ds.transaction((em) => em.query(WRITE, next())),
    'transaction + outbox.add': () =>
      ds.transaction(async (em) => {
        const params = next();
        await em.query(WRITE, params);
        outboxWriter.add(em, { name: 'bench.refreshed', payload: { session_id: params[0] } });
      }),
    'transaction + outbox.add (organization)': () =>
      ds.transaction(async (em) => {
        const params = next();
        await em.query(WRITE, params);
        outboxWriter.add(em, {
          name: 'bench.refreshed',
          organizationId: ctx.seed.organizationId,
          payload: { session_id: params[0] },
        });
      }),
  };
  const seconds = ctx.settings.quick ? 2 : ctx.settings.duration;
  const rounds = ctx.settings.quick ? 1 : ctx.settings.rounds;
  const run = (op: () => Promise<unknown>) => closedLoop(writers, seconds, op);
  try {
    const names = Object.keys(variants) as Variant[];
    const results = new Map<Variant, Array<{ rps: number; p50: number; p99: number }>>(names.map((v) => [v, []]));
    await run(variants.transaction); // warm-up: connections, plans
    for (let r = 0; r < rounds; r++) for (const v of names) results.get(v)!.push(await run(variants[v]));
    const summary = (v: Variant) => {
      const rs = results.get(v)!;
      return { rps: median(rs.map((x) => x.rps)), p50: median(rs.map((x) => x.p50)), p99: median(rs.map((x) => x.p99)) };
    };
    const rows = names.map((v) => ({ scenario: title, target: v, ...summary(v) }));
    for (const row of rows)
      log(`  ${title}: ${row.target}: ${row.rps.toFixed(0)} writes/s, p50 ${row.p50.toFixed(2)} / p99 ${row.p99.toFixed(2)} ms`);
    const base = summary('transaction').rps;
    const overhead = (v: Variant) => 1 - summary(v).rps / base;
    return {
      id: 'outbox-write',
      title,
      available: true,
      rows,
      checks: [
        {
          scenario: title,
          budget: 'one outbox.add costs ≤ 10 % of the write throughput',
          measured: `${(overhead('transaction + outbox.add') * 100).toFixed(1)} % (with an organization: ${(overhead('transaction + outbox.add (organization)') * 100).toFixed(1)} %)`,
          pass: overhead('transaction + outbox.add') <= 0.1 && overhead('transaction + outbox.add (organization)') <= 0.1,
        },
      ],
      raw: Object.fromEntries(results),
    };
  } finally {
    await ds.query('DELETE FROM outbox_events WHERE scope = $1', [scope]).catch(() => undefined);
    await ds.destroy();
  }
}

/**
 * A Stripe callback as Stripe sends one: a fresh event id per request, signed at send time (`t=<now>,v1=<hex
 * HMAC-SHA256(secret, t.body)>`) with the SDK's `generateTestHeaderString` (~6 µs here; a bare node:crypto HMAC ~4 µs).
 * `customer.updated` names no charge, so the app verifies, stores the event once and answers, with no call to Stripe.
 */
function stripeEvents(ctx: BenchContext, prefix: string): () => { headers: Record<string, string>; body: string } {
  let n = 0;
  const customer = `cus_bench${ctx.seed.runId}`;
  return () => {
    const created = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      id: `${prefix}${n++}`,
      object: 'event',
      api_version: STRIPE_API_VERSION,
      created,
      type: 'customer.updated',
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: {
        object: {
          id: customer,
          object: 'customer',
          created: created - 86_400,
          email: `billing-${ctx.seed.runId}@bench.local`,
          name: `Bench ${ctx.seed.runId}`,
          metadata: { organization_id: ctx.seed.organizationId },
        },
        previous_attributes: { name: 'Bench' },
      },
    });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: ctx.stripeWebhookSecret });
    return { headers: { 'stripe-signature': signature }, body };
  };
}

async function post(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined };
}

/**
 * `POST /payments/webhooks/stripe` with distinct, validly signed events against the baselines' `POST /webhook`, which
 * verify the same header with the SDK and run one `INSERT … ON CONFLICT DO NOTHING` into the same table. The app is
 * started with a Stripe key whose API address (`127.0.0.1:9`) refuses connections: an event that made it call
 * Stripe would answer 503 and count as a failure.
 */
export async function billingWebhook(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'POST /payments/webhooks/stripe';
  const budget = 'req/s ≥ 0.6 × NestJS baseline';
  const path = `${API}/payments/webhooks/stripe`;
  const prefix = `evt_bench_${ctx.seed.runId}_`;
  const appEvents = stripeEvents(ctx, `${prefix}app_`);
  const baselineEvents = stripeEvents(ctx, `${prefix}baseline_`);

  const probe = appEvents();
  const first = await post(ctx.servers.app.url + path, probe.body, probe.headers);
  const receipt = first.body?.data as { outcome?: string; duplicate?: boolean } | undefined;
  if (first.status !== 200 || receipt?.outcome !== 'ignored' || receipt.duplicate !== false) {
    return unavailable('billing-webhook', title, `POST ${path} answers ${first.status} ${JSON.stringify(first.body)}`, budget);
  }
  const again = await post(ctx.servers.app.url + path, probe.body, probe.headers);
  if ((again.body?.data as { duplicate?: boolean } | undefined)?.duplicate !== true) {
    return unavailable('billing-webhook', title, `a redelivery was not seen as one: ${JSON.stringify(again.body)}`, budget);
  }
  for (const target of ['nest', 'http'] as const) {
    const e = baselineEvents();
    const ok = await post(`${ctx.servers[target].url}/webhook`, e.body, e.headers);
    const forged = await post(`${ctx.servers[target].url}/webhook`, e.body.replace('customer.updated', 'customer.deleted'), e.headers);
    if (ok.status !== 200 || forged.status !== 400) {
      throw new Error(`baseline ${target} POST /webhook: ${ok.status} for a signed event, ${forged.status} for a changed body`);
    }
  }
  const app: RequestSpec = { method: 'POST', path, next: appEvents };
  const baseline: RequestSpec = { method: 'POST', path: '/webhook', next: baselineEvents };
  const o = await compare(title, { app, baseline }, ctx.servers, ctx.settings);

  // Every event the app took was stored once and needed nothing from Stripe.
  const db = new pg.Client({ connectionString: ctx.config.database.url, application_name: 'atrium-bench-billing' });
  await db.connect();
  try {
    const { rows } = await db.query<{ stored: number; ignored: number }>(
      `SELECT count(*)::int AS stored, count(*) FILTER (WHERE outcome = 'ignored')::int AS ignored
         FROM payment_events WHERE gateway = 'stripe' AND event_id LIKE $1`,
      [`${prefix}app_%`],
    );
    log(`  ${title}: the app stored ${rows[0].stored} events, ${rows[0].ignored} of them processed as 'ignored'`);
    const checks = [ratioCheck(title, o, 0.6), p99Check(title, o, 2), noFailuresCheck(title, o)];
    checks.push({
      scenario: title,
      budget: "every stored event processed as 'ignored' (no gateway call)",
      measured: `${rows[0].ignored} of ${rows[0].stored}`,
      pass: rows[0].stored > 0 && rows[0].ignored === rows[0].stored,
    });
    return { id: 'billing-webhook', title, available: true, rows: comparedRows(title, o), checks, raw: o };
  } finally {
    await db.end();
  }
}

/**
 * `POST /organizations/me/package/calculate-upgrade-price` (Free → Basic, one month) as the owners of several
 * organizations (quotes are per organization; each is a signed token, nothing stored) against the NestJS baseline's `GET /me`.
 * The app's request is the credential check (one statement) and the quote priced from the instance's copy of the
 * subscription terms, kept while the organization's version that check read is unchanged: no terms change during the
 * run, so after each organization's first quote none reads them again.
 */
export async function billingQuote(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'POST /organizations/me/package/calculate-upgrade-price';
  const budget = 'req/s ≥ 0.6 × NestJS baseline';
  const path = '/organizations/me/package/calculate-upgrade-price';
  const db = new pg.Client({ connectionString: ctx.config.database.url, application_name: 'atrium-bench-billing' });
  await db.connect();
  const basic = await db
    .query<{ id: number }>(`SELECT id FROM packages WHERE slug = 'basic'`)
    .then((r) => r.rows[0]?.id)
    .finally(() => db.end());
  if (!basic) return unavailable('billing-quote', title, 'no `basic` package in the catalogue', budget);
  const body = JSON.stringify({ package_id: basic, period: '1_month' });
  let quotedDue: unknown;
  for (const owner of ctx.seed.owners) {
    const quote = await call(ctx, 'POST', path, { authorization: `Bearer ${owner.accessToken}` }, JSON.parse(body));
    if (quote.status !== 200) {
      return unavailable('billing-quote', title, `POST ${API}${path} answers ${quote.status} ${JSON.stringify(quote.body)}`, budget);
    }
    quotedDue = (quote.body?.data as { amount_due?: unknown } | undefined)?.amount_due;
  }
  log(`  ${title}: ${ctx.seed.owners.length} organizations' owners; Free → Basic for a month quotes ${JSON.stringify(quotedDue)}`);
  const tokens = cycle(ctx.seed.owners.map((o) => o.accessToken));
  const app: RequestSpec = { method: 'POST', path: API + path, next: () => ({ headers: { authorization: `Bearer ${tokens()}` }, body }) };
  const o = await compare(title, { app, baseline: baselineSpec(ctx) }, ctx.servers, ctx.settings);
  return {
    id: 'billing-quote',
    title,
    available: true,
    rows: comparedRows(title, o),
    checks: [ratioCheck(title, o, 0.6), noFailuresCheck(title, o)],
    raw: o,
  };
}

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
  settings: Settings;
  seed: Seed;
  cores: number;
}

const API = '/api/v1';

function cycle<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length];
}

const bearer = (next: () => string) => () => ({ headers: { authorization: `Bearer ${next()}` } });

function baselineSpec(ctx: BenchContext): RequestSpec {
  return { method: 'GET', path: '/me', next: bearer(cycle(ctx.seed.members.map((m) => m.accessToken))) };
}

function meSpec(ctx: BenchContext): RequestSpec {
  return { method: 'GET', path: `${API}/users/me`, next: bearer(cycle(ctx.seed.members.map((m) => m.accessToken))) };
}

async function call(ctx: BenchContext, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(ctx.servers.app.url + API + path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined };
}

function comparedRows(title: string, o: CompareOutcome): Row[] {
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

function ratioCheck(scenario: string, o: CompareOutcome, min: number): Check {
  return {
    scenario,
    budget: `req/s ≥ ${min} × NestJS baseline`,
    measured: `${o.ratio.nest.toFixed(3)} ×`,
    pass: o.ratio.nest >= min,
  };
}

function unavailable(id: string, title: string, reason: string, budget: string): ScenarioReport {
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

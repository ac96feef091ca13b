import { readFileSync } from 'node:fs';
import { hashToken, newOpaqueToken, ROTATE_SQL } from '@atrium/access';
import { acrossTenants, queryNamed, tenantScopedPoolOptions } from '@atrium/platform';
import { USER_BY_ID } from '../baseline/shared.js';
import { vacuum } from './database.js';
import { type BenchContext, closedLoop, type ScenarioReport } from './scenarios.js';
import { cpuMs, log, median } from './util.js';

/** Sessions with a refresh token each, minted before the run (four of them are the rotating chains). */
const TABLE_TOKENS = 10_000;
const CLIENTS = 4;

type Variant = 'rotation (as the app)' | 'rotation, synchronous_commit = off' | 'read by primary key (the baselines)';

/** CPU (ms) of a PostgreSQL backend when it runs on this machine, else NaN (a remote server's pid names nothing here). */
function backendCpuMs(pid: number): number {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres') ? cpuMs(pid) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * What one refresh costs the database, without HTTP: four clients, each rotating its own token chain with the app's
 * own statement (`ROTATE_SQL`), run as `SessionService` runs it — a named prepared statement (`queryNamed`) on the
 * platform's tenant-scoped client (as `atrium_app`) across tenants — in rounds interleaved with the same rotation
 * under `synchronous_commit = off` (what the commit's WAL flush costs) and the baselines' read by primary key. The
 * CPU column is the PostgreSQL backends' own CPU per call, read from /proc: so only when the database runs on this
 * machine (else empty). Reported, not budgeted: it says how much of the `refresh` row's ratio is the database's.
 */
export async function refreshRotation(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'refresh rotation in PostgreSQL (4 clients, no HTTP)';
  const url = ctx.config.database.url!;
  const seconds = ctx.settings.quick ? 2 : ctx.settings.duration;
  const rounds = ctx.settings.quick ? 1 : ctx.settings.rounds;
  // A table of realistic size, analyzed as autovacuum would: on an empty `refresh_tokens` (this database fresh,
  // autovacuum off) the generic plan a named statement settles on after five runs scans the table, and each
  // rotation then reads every token stored before it (measured: 474 rotations/s and 3.3 ms of CPU each, falling).
  const chains = (await ctx.seed.mintRefreshTokens(TABLE_TOKENS)).slice(0, CLIENTS);
  await vacuum(url);
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const client = new tenantScopedPoolOptions.Client({ connectionString: url, options: tenantScopedPoolOptions.options });
      await client.connect();
      const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
      return { client, pid };
    }),
  );
  const userIds = ctx.seed.members.map((m) => m.id);
  async function rotate(i: number): Promise<void> {
    const next = newOpaqueToken();
    const [row] = await queryNamed<{ id: string | null }>(clients[i].client, { name: 'bench_rotate', text: ROTATE_SQL }, [
      hashToken(chains[i]),
      hashToken(next),
      '127.0.0.1',
    ]);
    if (!row?.id) throw new Error('refresh rotation: the chain broke (the statement rotated nothing)');
    chains[i] = next;
  }
  const calls: Record<Variant, (i: number, n: number) => Promise<unknown>> = {
    'rotation (as the app)': rotate,
    'rotation, synchronous_commit = off': rotate,
    'read by primary key (the baselines)': (i, n) =>
      queryNamed(clients[i].client, { name: 'bench_read', text: USER_BY_ID }, [userIds[n % userIds.length]]),
  };
  // As SessionIssuer.refresh does: the rotation is keyed by the token, the one credential presented.
  const run = (variant: Variant) =>
    acrossTenants(async () => {
      const commit = variant === 'rotation, synchronous_commit = off' ? 'off' : 'on';
      await Promise.all(clients.map(({ client }) => client.query(`SET synchronous_commit = ${commit}`)));
      const cpu = () => clients.reduce((sum, c) => sum + backendCpuMs(c.pid), 0);
      const before = cpu();
      const result = await closedLoop(CLIENTS, seconds, calls[variant]);
      return { ...result, cpuUs: ((cpu() - before) * 1000) / result.count };
    });
  try {
    const variants = Object.keys(calls) as Variant[];
    const results = new Map(variants.map((v) => [v, [] as Array<Awaited<ReturnType<typeof run>>>]));
    await run('rotation (as the app)'); // warm-up: plans, caches
    for (let r = 0; r < rounds; r++) for (const v of variants) results.get(v)!.push(await run(v));
    const rows = variants.map((v) => {
      const rs = results.get(v)!;
      const cpu = median(rs.map((x) => x.cpuUs));
      return {
        scenario: title,
        target: v,
        rps: median(rs.map((x) => x.rps)),
        p50: median(rs.map((x) => x.p50)),
        p99: median(rs.map((x) => x.p99)),
        ...(Number.isFinite(cpu) ? { cpuUsPerReq: cpu } : {}),
      };
    });
    for (const row of rows)
      log(`  ${title}: ${row.target}: ${row.rps.toFixed(0)}/s, ${row.cpuUsPerReq?.toFixed(0) ?? '?'} µs backend CPU per call`);
    return { id: 'refresh-rotation', title, available: true, rows, checks: [], raw: Object.fromEntries(results) };
  } finally {
    await Promise.all(clients.map(({ client }) => client.end()));
  }
}

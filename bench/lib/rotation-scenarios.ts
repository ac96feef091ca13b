import pg from 'pg';
import { hashToken, newOpaqueToken, ROTATE_SQL } from '@atrium/access';
import { APP_ROLE } from '@atrium/platform';
import { USER_BY_ID } from '../baseline/shared.js';
import type { BenchContext, ScenarioReport } from './scenarios.js';
import { cpuMs, log, median } from './util.js';

/** Sessions with a refresh token each, minted before the run (four of them are the rotating chains). */
const TABLE_TOKENS = 10_000;

type Variant = 'rotation (as the app)' | 'rotation, synchronous_commit = off' | 'read by primary key (the baselines)';

/**
 * What one refresh costs the database, without HTTP: four clients, each rotating its own token chain with the app's
 * own statement (`ROTATE_SQL`, as a named prepared statement, as `atrium_app` across tenants, as `SessionService`
 * runs it), rounds interleaved with the same rotation under `synchronous_commit = off` (what the commit's WAL flush
 * costs) and the baselines' read by primary key. The CPU column is the PostgreSQL backends' own CPU per call, read
 * from /proc: so only when the database runs on this machine (else empty). Reported, not budgeted: it says how much
 * of the `refresh` row's ratio is the database's.
 */
export async function refreshRotation(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'refresh rotation in PostgreSQL (4 clients, no HTTP)';
  const clientsCount = 4;
  const seconds = ctx.settings.quick ? 2 : ctx.settings.duration;
  const rounds = ctx.settings.quick ? 1 : ctx.settings.rounds;
  const clients = await Promise.all(
    Array.from({ length: clientsCount }, async () => {
      const client = new pg.Client({ connectionString: ctx.config.database.url!, options: `-c role=${APP_ROLE}` });
      await client.connect();
      // As acrossTenants does: the rotation is keyed by the token, the one credential presented.
      await client.query(`SELECT set_config('app.organization_id', '', false), set_config('app.cross_tenant', 'on', false)`);
      const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
      return { client, pid };
    }),
  );
  // A table of realistic size, analyzed as autovacuum would: on an empty `refresh_tokens` (this database fresh,
  // autovacuum off) the generic plan a named statement settles on after five runs scans the table, and each
  // rotation then reads every token stored before it (measured: 474 rotations/s and 3.3 ms of CPU each, falling).
  const chains = (await ctx.seed.mintRefreshTokens(TABLE_TOKENS)).slice(0, clientsCount);
  const owner = new pg.Client({ connectionString: ctx.config.database.url! }); // atrium_app owns no table to analyze
  await owner.connect();
  await owner.query('ANALYZE sessions, refresh_tokens').finally(() => owner.end());
  const userIds = ctx.seed.members.map((m) => m.id);
  const calls: Record<Variant, (i: number, n: number) => Promise<void>> = {
    'rotation (as the app)': (i) => rotate(i),
    'rotation, synchronous_commit = off': (i) => rotate(i),
    'read by primary key (the baselines)': async (i, n) => {
      await clients[i].client.query({ name: 'bench_read', text: USER_BY_ID, values: [userIds[n % userIds.length]] });
    },
  };
  async function rotate(i: number): Promise<void> {
    const next = newOpaqueToken();
    const { rows } = await clients[i].client.query<{ id: string | null }>({
      name: 'bench_rotate',
      text: ROTATE_SQL,
      values: [hashToken(chains[i]), hashToken(next), '127.0.0.1'],
    });
    if (!rows[0]?.id) throw new Error('refresh rotation: the chain broke (the statement rotated nothing)');
    chains[i] = next;
  }
  const run = async (variant: Variant) => {
    const asyncCommit = variant === 'rotation, synchronous_commit = off';
    await Promise.all(clients.map(({ client }) => client.query(`SET synchronous_commit = ${asyncCommit ? 'off' : 'on'}`)));
    const cpuBefore = clients.reduce((sum, c) => sum + cpuMs(c.pid), 0);
    const latencies: number[] = [];
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      clients.map(async (_c, i) => {
        for (let n = 0; performance.now() < until; n++) {
          const t0 = performance.now();
          await calls[variant](i, n);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const cpu = clients.reduce((sum, c) => sum + cpuMs(c.pid), 0) - cpuBefore;
    latencies.sort((a, b) => a - b);
    const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))];
    return { rps: latencies.length / seconds, p50: at(50), p99: at(99), cpuUs: (cpu * 1000) / latencies.length };
  };
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

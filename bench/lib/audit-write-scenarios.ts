import type { Check, BenchContext, Row, ScenarioReport } from './scenarios.js';
import { type LoadResult, type RequestSpec, runLoad } from './load.js';
import { productionNodeFlags, type Server, startServer } from './servers.js';
import { freePort, log, median } from './util.js';

const API = '/api/v1';
/** The budget: auditing may cost at most this share of the route's throughput. */
const MAX_OVERHEAD = 0.15;

type Variant = 'auditing on' | 'auditing off';

/**
 * `PUT /users/me` with a real change on every request (so every request writes its `user.updated` entry), on two
 * instances started for this row from the app's own environment and flags, identical but for the audit switch: one
 * writes entries, the other has `AUDIT_WRITES_DISABLED_FOR_BENCH` (refused in production, so both run with
 * NODE_ENV=development; the comparison is between them, not with the production app of the other rows). Rounds
 * alternate which instance goes first, so drift in the shared machine's load lands on both alike.
 */
export async function auditWrite(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'PUT /users/me: audit write overhead';
  const budget = `auditing on ≥ ${1 - MAX_OVERHEAD} × auditing off (req/s)`;
  const env = {
    ...ctx.appEnv,
    NODE_ENV: 'development',
    // Neither instance works the queues or relays events: the app of the other rows does, and both stay alike.
    RUN_WORKERS: 'false',
    OUTBOX_RELAY: 'false',
  };
  const servers: Partial<Record<Variant, Server>> = {};
  try {
    for (const [variant, extra] of [
      ['auditing on', {}],
      ['auditing off', { AUDIT_WRITES_DISABLED_FOR_BENCH: 'true' }],
    ] as const) {
      const port = await freePort();
      servers[variant] = await startServer({
        name: `audit-write (${variant})`,
        entry: 'apps/api/src/main.ts',
        port,
        readyPath: `${API}/health`,
        nodeArgs: productionNodeFlags(),
        env: { ...env, ...extra, PUBLIC_URL: `http://127.0.0.1:${port}` },
      });
    }
    const on = servers['auditing on']!;

    const members = ctx.seed.members;
    let n = 0;
    const spec: RequestSpec = {
      method: 'PUT',
      path: `${API}/users/me`,
      // A new first name each time (the route audits only a real change), spread over the members so no row is hot.
      next: () => {
        const m = members[n % members.length];
        n++;
        return { headers: { authorization: `Bearer ${m.accessToken}` }, body: JSON.stringify({ first_name: `Bench ${n}` }) };
      },
    };
    const probe = await fetch(on.url + spec.path, {
      method: 'PUT',
      headers: { authorization: `Bearer ${members[0].accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ first_name: 'Bench probe' }),
    });
    if (probe.status !== 200) {
      return {
        id: 'audit-write',
        title,
        available: false,
        reason: `PUT ${API}/users/me answers ${probe.status}`,
        rows: [],
        checks: [{ scenario: title, budget, measured: 'not available' }],
      };
    }

    const results: Record<Variant, LoadResult[]> = { 'auditing on': [], 'auditing off': [] };
    const connections = ctx.settings.connections;
    for (let round = 0; round < ctx.settings.rounds; round++) {
      const order: Variant[] = round % 2 === 0 ? ['auditing on', 'auditing off'] : ['auditing off', 'auditing on'];
      for (const variant of order) {
        const server = servers[variant]!;
        if (round === 0 && ctx.settings.warmup) await runLoad(server.url, spec, { connections, duration: ctx.settings.warmup });
        const r = await runLoad(server.url, spec, { connections, duration: ctx.settings.duration }, server.pid);
        results[variant].push(r);
        log(
          `  ${title} · round ${round + 1} · ${variant}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ` +
            `${r.cpuUsPerReq.toFixed(0)} µs CPU/req${r.failed ? ` (${r.failed} failed: ${JSON.stringify(r.statusCodes)})` : ''}`,
        );
      }
    }

    const summary = (v: Variant) => {
      const rs = results[v];
      return {
        rps: median(rs.map((r) => r.rps)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        peakRssMiB: Math.max(...rs.map((r) => r.peakRssMiB)),
        cpuUsPerReq: median(rs.map((r) => r.cpuUsPerReq)),
      };
    };
    // Ratios of rounds measured back to back, then their median.
    const ratio = median(results['auditing on'].map((r, i) => r.rps / results['auditing off'][i].rps));
    const cpuRatio = median(results['auditing on'].map((r, i) => r.cpuUsPerReq / results['auditing off'][i].cpuUsPerReq));
    const rows: Row[] = (['auditing on', 'auditing off'] as const).map((v) => ({ scenario: title, target: v, ...summary(v) }));
    const failed = (Object.keys(results) as Variant[]).flatMap((v) =>
      results[v].filter((r) => r.failed > 0).map((r) => `${v}: ${r.failed} (${JSON.stringify(r.statusCodes)})`),
    );
    const checks: Check[] = [
      {
        scenario: title,
        budget,
        measured: `${ratio.toFixed(3)} × (${((1 - ratio) * 100).toFixed(1)} % slower; CPU/req ${cpuRatio.toFixed(2)} ×)`,
        pass: ratio >= 1 - MAX_OVERHEAD,
      },
      { scenario: title, budget: 'every answer 2xx', measured: failed.length ? failed.join('; ') : '0 failed', pass: failed.length === 0 },
    ];
    return { id: 'audit-write', title, available: true, rows, checks, raw: { results, ratio, cpuRatio } };
  } finally {
    for (const s of Object.values(servers)) await s?.stop().catch(() => undefined);
  }
}

import type { Server } from './servers.js';
import { type LoadResult, type RequestSpec, runLoad } from './load.js';
import { log, median } from './util.js';

export type TargetName = 'app' | 'nest' | 'http';

export interface Settings {
  quick: boolean;
  rounds: number;
  duration: number;
  warmup: number;
  connections: number;
}

export interface TargetSummary {
  rounds: LoadResult[];
  rps: number;
  p50: number;
  p99: number;
  peakRssMiB: number;
  cpuUsPerReq: number;
}

export interface CompareOutcome {
  targets: Record<TargetName, TargetSummary>;
  /** Median over rounds of app/baseline ratios measured back to back. */
  ratio: { nest: number; http: number };
  p99Ratio: { nest: number; http: number };
}

export interface CompareSpec {
  app: RequestSpec;
  baseline: RequestSpec;
  connections?: number;
  /** Called before each run against the app with the number of seconds it will last (e.g. to mint tokens). */
  beforeAppRun?: (seconds: number) => Promise<void>;
}

function summarise(rounds: LoadResult[]): TargetSummary {
  return {
    rounds,
    rps: median(rounds.map((r) => r.rps)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    peakRssMiB: Math.max(...rounds.map((r) => r.peakRssMiB)),
    cpuUsPerReq: median(rounds.map((r) => r.cpuUsPerReq)),
  };
}

function describe(r: LoadResult): string {
  const failed = r.failed ? ` (${r.failed} failed: ${JSON.stringify(r.statusCodes)})` : '';
  return `${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.cpuUsPerReq.toFixed(0)} µs CPU/req${failed}`;
}

/**
 * Runs one scenario against the app and both baselines, alternating which goes first each round,
 * so drift in the shared machine's load lands on all three alike. A warm-up precedes the first round.
 */
export async function compare(
  title: string,
  spec: CompareSpec,
  servers: Record<TargetName, Server>,
  settings: Settings,
): Promise<CompareOutcome> {
  const order: TargetName[] = ['app', 'nest', 'http'];
  const results: Record<TargetName, LoadResult[]> = { app: [], nest: [], http: [] };
  const connections = spec.connections ?? settings.connections;
  for (let round = 0; round < settings.rounds; round++) {
    const turn = [...order.slice(round % 3), ...order.slice(0, round % 3)];
    for (const target of turn) {
      const server = servers[target];
      const req = target === 'app' ? spec.app : spec.baseline;
      if (target === 'app' && spec.beforeAppRun) await spec.beforeAppRun(settings.duration + (round === 0 ? settings.warmup : 0));
      if (round === 0 && settings.warmup) await runLoad(server.url, req, { connections, duration: settings.warmup });
      const r = await runLoad(server.url, req, { connections, duration: settings.duration }, server.pid);
      results[target].push(r);
      log(`  ${title} · round ${round + 1} · ${target}: ${describe(r)}`);
    }
  }
  const ratios = (base: TargetName, key: 'rps' | 'p99') => median(results.app.map((r, i) => r[key] / results[base][i][key]));
  return {
    targets: { app: summarise(results.app), nest: summarise(results.nest), http: summarise(results.http) },
    ratio: { nest: ratios('nest', 'rps'), http: ratios('http', 'rps') },
    p99Ratio: { nest: ratios('nest', 'p99'), http: ratios('http', 'p99') },
  };
}

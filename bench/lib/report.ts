import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Check, Row, ScenarioReport } from './scenarios.js';

const num = (v: number | undefined, digits = 0) => (v === undefined || Number.isNaN(v) ? '' : v.toFixed(digits));
const ratio = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '' : `${v.toFixed(2)}×`);

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function resultsTable(reports: ScenarioReport[]): string {
  const rows: Row[] = reports.flatMap((r) => r.rows);
  const missing = reports.filter((r) => !r.available);
  const body = rows.map((r) => [
    r.scenario,
    r.target,
    num(r.rps, r.rps < 100 ? 1 : 0),
    num(r.p50, r.p50 < 10 ? 1 : 0),
    num(r.p99, r.p99 < 10 ? 1 : 0),
    ratio(r.xNest),
    ratio(r.xHttp),
    num(r.peakRssMiB),
    num(r.cpuUsPerReq),
  ]);
  for (const r of missing) body.push([r.title, 'not available', '', '', '', '', '', '', '']);
  return table(['scenario', 'target', 'req/s', 'p50 ms', 'p99 ms', 'vs NestJS', 'vs node:http', 'peak RSS MiB', 'CPU µs/req'], body);
}

export function budgetTable(reports: ScenarioReport[]): string {
  const checks: Check[] = reports.flatMap((r) => r.checks);
  return table(
    ['scenario', 'budget', 'measured', 'result'],
    checks.map((c) => [c.scenario, c.budget, c.measured, c.pass === undefined ? 'N/A' : c.pass ? 'PASS' : 'FAIL']),
  );
}

/** Writes the run as JSON under bench/results/ (git-ignored) and returns the file path. */
export function writeResults(dir: string, meta: Record<string, unknown>, reports: ScenarioReport[]): string {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `bench-${stamp}${meta.quick ? '-quick' : ''}.json`);
  const json = {
    ...meta,
    results: reports.flatMap((r) => r.rows),
    budget: reports.flatMap((r) => r.checks).map((c) => ({ ...c, result: c.pass === undefined ? 'N/A' : c.pass ? 'PASS' : 'FAIL' })),
    scenarios: reports,
  };
  writeFileSync(file, JSON.stringify(json, null, 2));
  writeFileSync(join(dir, meta.quick ? 'latest-quick.json' : 'latest.json'), JSON.stringify(json, null, 2));
  return file;
}

import autocannon from 'autocannon';
import { cpuMs, sampleRss } from './util.js';

/** One request shape; `next` varies headers/body per request (a token from a pool, a login body). */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  headers?: Record<string, string>;
  next?: () => { headers?: Record<string, string>; body?: string };
}

export interface LoadOptions {
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  duration?: number;
  amount?: number;
  /** Fixed total request rate (a probe), instead of as fast as possible. */
  overallRate?: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  durationS: number;
  /** Peak RSS (MiB) of the process under test while the load ran. */
  peakRssMiB: number;
  /** CPU time the process under test spent per answered request (µs): steadier than req/s on a shared machine. */
  cpuUsPerReq: number;
  statusCodes: Record<string, number>;
}

/** Drives `baseUrl` with autocannon from this (separate) process and samples the server's RSS meanwhile. */
export async function runLoad(baseUrl: string, spec: RequestSpec, opts: LoadOptions, serverPid?: number): Promise<LoadResult> {
  const rss = serverPid ? sampleRss(serverPid) : undefined;
  const cpuBefore = serverPid ? cpuMs(serverPid) : NaN;
  const next = spec.next;
  const request: autocannon.Request = {
    method: spec.method,
    path: spec.path,
    headers: { ...(spec.method === 'GET' ? {} : { 'content-type': 'application/json' }), ...spec.headers },
    ...(next
      ? {
          setupRequest: (req: autocannon.Request) => {
            const v = next();
            return { ...req, headers: { ...req.headers, ...v.headers }, ...(v.body === undefined ? {} : { body: v.body }) };
          },
        }
      : {}),
  };
  const result = await autocannon({
    url: baseUrl,
    connections: opts.connections,
    duration: opts.duration ?? 10,
    ...(opts.amount ? { amount: opts.amount } : {}),
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
    requests: [request],
    timeout: 30,
  });
  const peakRssMiB = rss ? rss.stop() : NaN;
  const cpuUsed = serverPid ? cpuMs(serverPid) - cpuBefore : NaN;
  const ok = result['2xx'];
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = Number(count);
  return {
    rps: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    failed: result.non2xx + result.errors,
    durationS: result.duration,
    peakRssMiB,
    cpuUsPerReq: (cpuUsed * 1000) / Math.max(1, result.requests.total ?? ok),
    statusCodes,
  };
}

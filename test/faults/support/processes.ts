import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../support/free-port.js';
import { HttpClient } from '../../support/http-client.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const REGISTER = join(ROOT, 'bench/register.mjs');
/** A preload that moves the process's clock by FAULT_CLOCK_SKEW_MS (`opts.clockSkewMs`). */
const SKEWED_CLOCK = join(ROOT, 'test/faults/support/skewed-clock.mjs');
const ENTRIES = { api: 'apps/api/src/main.ts', worker: 'apps/worker/src/main.ts' } as const;

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Settings every process of one fault deployment shares, as operators would give them. */
export function deploymentEnv(
  databaseUrl: string,
  redisUrl: string | undefined,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    LOG_LEVEL: 'info',
    MIGRATIONS_RUN: 'false',
    DATABASE_POOL_SIZE: '10',
    QUEUE_DATABASE_POOL_SIZE: '2',
    JWT_SECRET: 'atrium-fault-jwt-secret-at-least-32-characters',
    ENCRYPTION_KEY: '5a'.repeat(32),
    BILLING_RENEWAL_SCAN_MS: '0',
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_AUTH_FAILURES: '100000',
    RATE_LIMIT_REGISTRATION_PER_HOUR: '100000',
    RATE_LIMIT_RESEND_VERIFICATION_PER_HOUR: '100000',
    RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
    ...extra,
  };
}

/** One real api or worker process, started from the TypeScript sources (the bench's loader, as vitest compiles them). */
export interface AppProcess {
  kind: 'api' | 'worker';
  pid: number;
  /** The api's base URL (`http://127.0.0.1:<port>`); empty for a worker. */
  url: string;
  http: HttpClient;
  dataDir: string;
  /** Everything the process wrote (its JSON log lines). */
  output(): string;
  /** Resolves with the first log line containing `text` written from now on or already written. */
  waitForLog(text: string, ms?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

export async function startProcess(
  kind: 'api' | 'worker',
  env: Record<string, string>,
  opts: { dataDir?: string; port?: number; clockSkewMs?: number } = {},
): Promise<AppProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), `atrium-fault-${kind}-`));
  const port = kind === 'api' ? (opts.port ?? (await freePort())) : 0;
  const skew = opts.clockSkewMs ? ['--import', SKEWED_CLOCK] : [];
  const child = spawn(process.execPath, [...skew, '--import', REGISTER, join(ROOT, ENTRIES[kind])], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      ...env,
      DATA_DIR: dataDir,
      ...(opts.clockSkewMs ? { FAULT_CLOCK_SKEW_MS: String(opts.clockSkewMs) } : {}),
      // A worker's readiness is its "Workers running" log line.
      ...(kind === 'worker' ? { LOG_LEVEL: 'info' } : {}),
      ...(kind === 'api' ? { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  const watchers: Array<{ text: string; resolve: (line: string) => void }> = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
    for (const w of [...watchers]) {
      const line = out.split('\n').find((l) => l.includes(w.text));
      if (line) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((r) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      running.delete(child);
      r();
    }),
  );
  const waitForLog = (text: string, ms = 90_000) =>
    new Promise<string>((resolvePromise, reject) => {
      const line = out.split('\n').find((l) => l.includes(text));
      if (line) return resolvePromise(line);
      const timer = setTimeout(() => reject(new Error(`${kind} ${child.pid}: no "${text}" within ${ms} ms:\n${out.slice(-3000)}`)), ms);
      watchers.push({
        text,
        resolve: (l) => {
          clearTimeout(timer);
          resolvePromise(l);
        },
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${kind} ${child.pid} exited (${exitCode}) before "${text}":\n${out.slice(-3000)}`));
      });
    });
  const url = kind === 'api' ? `http://127.0.0.1:${port}` : '';
  if (kind === 'worker') await waitForLog('Workers running');
  else
    await untilListening(
      url,
      () => exitCode,
      () => out,
    );
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (exitCode !== undefined) return;
    child.kill(signal);
    await exited;
  };
  return {
    kind,
    pid: child.pid!,
    url,
    http: new HttpClient(`${url}/api/v1`),
    dataDir,
    output: () => out,
    waitForLog,
    kill,
    stop: async () => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await kill('SIGTERM');
      clearTimeout(timer);
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until the api answers its health route (whatever it says), or fails when the process exits first. */
async function untilListening(url: string, exitCode: () => number | null | undefined, out: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exitCode() !== undefined) throw new Error(`api at ${url} exited (${exitCode()}) before listening:\n${out().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`api at ${url} not listening within 90 s:\n${out().slice(-3000)}`);
    const answered = await fetch(`${url}/api/v1/health`).then(
      () => true,
      () => false,
    );
    if (answered) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

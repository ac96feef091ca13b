import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, sleep } from './util.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const REGISTER = resolve(ROOT, 'bench/register.mjs');

export interface Server {
  name: string;
  url: string;
  pid: number;
  /** The last lines the process wrote, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
function killAll() {
  for (const child of running) child.kill('SIGKILL');
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/**
 * Starts a TypeScript entry in its own node process (through the bench's TS hooks) and waits until
 * `readyPath` answers. Extra node flags (e.g. `--cpu-prof`) come from `nodeArgs`.
 */
/** The V8 flags `npm start` runs the API with (read from package.json), so the bench measures what ships. */
export function productionNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const flags = /\bnode((?:\s+--\S+)*)\s+dist\/apps\/api\//.exec(pkg.scripts.start)?.[1] ?? '';
  return flags.split(/\s+/).filter(Boolean);
}

export async function startServer(opts: {
  name: string;
  entry: string;
  port: number;
  env: Record<string, string>;
  readyPath: string;
  nodeArgs?: string[];
}): Promise<Server> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', REGISTER, resolve(ROOT, opts.entry)], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env, PORT: String(opts.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited: number | null | undefined;
  const exit = new Promise<void>((res) =>
    child.once('exit', (code) => {
      exited = code;
      running.delete(child);
      res();
    }),
  );
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`${opts.name} exited (${exited}) before it was ready:\n${tail}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${opts.name} was not ready within 90 s:\n${tail}`);
    }
    const ok = await fetch(url + opts.readyPath).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) break;
    await sleep(250);
  }
  log(`${opts.name} ready on ${url} (pid ${child.pid})`);
  return {
    name: opts.name,
    url,
    pid: child.pid!,
    output: () => tail,
    async stop() {
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

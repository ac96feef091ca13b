import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDataSource } from '@atrium/platform';
import { MIGRATIONS } from '@atrium/migrations';
import { freePort } from '../../support/free-port.js';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL server of the fault run's own (never the machine's shared one), which a scenario stops and starts.
 * As root, PostgreSQL refuses to run, so the server runs as the `postgres` user.
 */
export interface OwnPostgres {
  url: string;
  port: number;
  start(): Promise<void>;
  /** A fast shutdown: open connections are cut, as when the server restarts or fails over. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;
const pgCommand = (bin: string, args: string[]) =>
  asRoot ? run('runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]) : run(join(PG_BIN, bin), args);

/** initdb + pg_ctl into a temporary directory on a free port, migrated; the database is `atrium`. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-fault-pg-'));
  const data = join(dir, 'data');
  mkdirSync(data);
  chmodSync(dir, 0o755);
  chmodSync(data, 0o700);
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(data, Number(stdout.trim()), Number(gid.trim()));
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await pgCommand('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300`;
  const start = async () => {
    await pgCommand('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);
  };
  const stop = async () => {
    await pgCommand('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
  };
  await start();
  await pgCommand('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'atrium']);
  const url = `postgres://postgres@127.0.0.1:${port}/atrium`;
  const ds = createDataSource({ url, entities: [], migrations: MIGRATIONS, poolSize: 2, applicationName: 'atrium-faults' });
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
  return {
    url,
    port,
    start,
    stop,
    destroy: async () => {
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A redis-server of the fault run's own, without persistence, which a scenario stops and starts again on the same port. */
export interface OwnRedis {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * `persistent`: an append-only file fsynced on every write (how Redis holding queues runs in production), so what was
 * queued survives a stop; otherwise nothing is kept.
 */
export async function startOwnRedis(opts: { persistent?: boolean } = {}): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'atrium-fault-redis-'));
  const persistence = opts.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...persistence], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) {
          child!.stdout!.off('data', onData);
          child!.stdout!.resume();
          resolve();
        }
      };
      child!.stdout!.on('data', onData);
      child!.stderr!.resume();
      child!.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    });
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(opts.persistent ? 'SIGTERM' : 'SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    start,
    stop,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDataSource, startEmbeddedPostgres } from '@atrium/platform';
import { MIGRATIONS } from '@atrium/migrations';
import { freePort, log } from './util.js';

export interface BenchDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** Creates the database named in the URL when the server does not have it yet. */
async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/**
 * DATABASE_URL when given (the database is created if missing), else an embedded PostgreSQL in a temporary directory on a free port, so the run
 * never meets a developer's `npm start` database. Migrations are applied either way.
 */
export async function openDatabase(): Promise<BenchDatabase> {
  let db: BenchDatabase;
  if (process.env.DATABASE_URL) {
    db = { url: process.env.DATABASE_URL, embedded: false, stop: async () => undefined };
    await ensureDatabase(db.url);
    log(`database: DATABASE_URL (${new URL(db.url).host})`);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-bench-pg-'));
    const port = await freePort();
    const server = await startEmbeddedPostgres(dir, port);
    db = {
      url: server.url,
      embedded: true,
      stop: async () => {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    log(`database: embedded PostgreSQL on port ${port} in ${dir}`);
  }
  const ds = createDataSource({ url: db.url, entities: [], migrations: MIGRATIONS, poolSize: 2, applicationName: 'atrium-bench' });
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
  return db;
}

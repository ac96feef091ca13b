import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource, startEmbeddedPostgres } from '@atrium/platform';
import { MIGRATIONS } from '@atrium/migrations';
import { freePort, log } from './util.js';

export interface BenchDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL when given, else an embedded PostgreSQL in a temporary directory on a free port, so the run
 * never meets a developer's `npm start` database. Migrations are applied either way.
 */
export async function openDatabase(): Promise<BenchDatabase> {
  let db: BenchDatabase;
  if (process.env.DATABASE_URL) {
    db = { url: process.env.DATABASE_URL, embedded: false, stop: async () => undefined };
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

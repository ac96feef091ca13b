import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDataSource, startEmbeddedPostgres } from '@atrium/platform';
import { MIGRATIONS } from '@atrium/migrations';
import { freePort } from './free-port.js';

/** A migrated database for a test or bench run; `stop` ends an embedded server and removes its files. */
export interface ScratchDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** A quoted SQL identifier. */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Runs `work` on the server's `postgres` database with the name of the database `url` points at. */
async function onServer(url: string, work: (client: pg.Client, name: string) => Promise<void>): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await work(client, name);
  } finally {
    await client.end();
  }
}

/** Creates the database named in the URL when the server does not have it yet. */
const ensureDatabase = (url: string) =>
  onServer(url, async (client, name) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${ident(name)}`);
  });

/**
 * `databaseUrl` when given (the database is created if missing), else an embedded PostgreSQL in a temporary
 * directory on a free port, so a run never meets a developer's `npm start` database. Migrations are applied
 * either way. Used by the test global setup and by the bench.
 */
export async function openScratchDatabase(purpose: string, databaseUrl?: string): Promise<ScratchDatabase> {
  let db: ScratchDatabase;
  if (databaseUrl) {
    await ensureDatabase(databaseUrl);
    db = { url: databaseUrl, embedded: false, stop: async () => undefined };
  } else {
    const dir = mkdtempSync(join(tmpdir(), `atrium-${purpose}-pg-`));
    const server = await startEmbeddedPostgres(dir, await freePort());
    db = {
      url: server.url,
      embedded: true,
      stop: async () => {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const ds = createDataSource({ url: db.url, entities: [], migrations: MIGRATIONS, poolSize: 2, applicationName: `atrium-${purpose}` });
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
  return db;
}

/** Drops a database made with `openScratchDatabase` on a shared server (a spec that needs one of its own). */
export const dropDatabase = (url: string) =>
  onServer(url, async (client, name) => {
    await client.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
  });

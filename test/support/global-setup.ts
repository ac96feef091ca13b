import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDataSource, startEmbeddedPostgres } from '@atrium/platform';
import { MIGRATIONS } from '@atrium/migrations';
import { freePort } from './free-port.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/** Creates the database named in the URL when the server does not have it yet. */
async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
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

/** Each spec file's queues live in their own schema (`bullmq_t…`); remove them from a shared server. */
async function dropTestQueueSchemas(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname ~ '^bullmq_t[0-9a-f]{12}$'`);
    for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * One database for the whole run: DATABASE_URL when set (created if missing), else an embedded
 * PostgreSQL in a temporary directory. Migrations run once here; each suite makes its own organizations.
 */
export default async function setup(project: TestProject) {
  let stop = async () => undefined as unknown;
  let dir: string | undefined;
  let url = process.env.DATABASE_URL;
  if (url) {
    await ensureDatabase(url);
  } else {
    dir = mkdtempSync(join(tmpdir(), 'atrium-test-pg-'));
    const server = await startEmbeddedPostgres(dir, await freePort());
    url = server.url;
    stop = () => server.stop();
  }
  const ds = createDataSource({ url, entities: [], migrations: MIGRATIONS, poolSize: 2 });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  project.provide('databaseUrl', url);
  return async () => {
    if (process.env.DATABASE_URL) await dropTestQueueSchemas(url);
    await stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}

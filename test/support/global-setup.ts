import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openScratchDatabase } from './scratch-database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
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
  const db = await openScratchDatabase('test', process.env.DATABASE_URL);
  project.provide('databaseUrl', db.url);
  return async () => {
    if (!db.embedded) await dropTestQueueSchemas(db.url);
    await db.stop();
  };
}

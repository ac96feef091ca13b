import pg from 'pg';
import { openScratchDatabase, type ScratchDatabase } from '../../test/support/scratch-database.js';
import { log } from './util.js';

export type BenchDatabase = ScratchDatabase;

/** The bench's database: DATABASE_URL (created if missing) or a throwaway embedded one, migrated (shared with the tests). */
export async function openDatabase(): Promise<BenchDatabase> {
  const db = await openScratchDatabase('bench', process.env.DATABASE_URL);
  log(db.embedded ? `database: embedded PostgreSQL at ${new URL(db.url).host}` : `database: DATABASE_URL (${new URL(db.url).host})`);
  return db;
}

/**
 * `VACUUM (ANALYZE)` of the whole database, before each scenario: what autovacuum does on a production server. CI
 * machines run PostgreSQL with autovacuum off, and a reused DATABASE_URL kept every earlier run's dead rows (seeded
 * sessions, rotated refresh tokens: 460,000 and 800,000 of them after a day's runs; the refresh row measured 0.27× on
 * that database and 0.35× once vacuumed); nor should one scenario's writes (rotations, logins) slow the next one's reads.
 */
export async function vacuum(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'atrium-bench-vacuum' });
  await client.connect();
  try {
    const started = Date.now();
    await client.query('VACUUM (ANALYZE)');
    log(`vacuumed in ${Date.now() - started} ms`);
  } finally {
    await client.end();
  }
}

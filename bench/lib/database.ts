import { openScratchDatabase, type ScratchDatabase } from '../../test/support/scratch-database.js';
import { log } from './util.js';

export type BenchDatabase = ScratchDatabase;

/** The bench's database: DATABASE_URL (created if missing) or a throwaway embedded one, migrated (shared with the tests). */
export async function openDatabase(): Promise<BenchDatabase> {
  const db = await openScratchDatabase('bench', process.env.DATABASE_URL);
  log(db.embedded ? `database: embedded PostgreSQL at ${new URL(db.url).host}` : `database: DATABASE_URL (${new URL(db.url).host})`);
  return db;
}

import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Runs `fn` holding a session advisory lock named `name` on a connection of its own (waiting while another process
 * holds it), so a job runs one at a time across every process. `fn` gets that connection to work on.
 */
export async function runAlone<T>(dataSource: DataSource, name: string, fn: (runner: QueryRunner) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [name]);
    try {
      return await fn(runner);
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [name]);
    }
  } finally {
    await runner.release();
  }
}

import type { DataSource } from 'typeorm';

/**
 * Runs a pruning `statement` again and again until a batch deletes fewer rows than `batchSize`, holding the advisory
 * lock `lock` (two-int form) so one process prunes at a time; batches keep any one statement from holding many locks.
 * The statement answers one row `{ n }` (rows deleted) and takes `params` followed by the batch size as its last
 * parameter. Returns how many rows went, or undefined when another process holds the lock.
 */
export async function deleteInBatches(
  dataSource: DataSource,
  opts: { lock: readonly [number, number]; statement: string; params: unknown[]; batchSize: number },
): Promise<number | undefined> {
  const qr = dataSource.createQueryRunner();
  await qr.connect();
  try {
    const [{ locked }] = (await qr.query(`SELECT pg_try_advisory_lock($1, $2) AS locked`, [...opts.lock])) as Array<{ locked: boolean }>;
    if (!locked) return undefined;
    try {
      let total = 0;
      for (;;) {
        const [{ n }] = (await qr.query(opts.statement, [...opts.params, opts.batchSize])) as Array<{ n: number }>;
        total += n;
        if (n < opts.batchSize) return total;
      }
    } finally {
      await qr.query(`SELECT pg_advisory_unlock($1, $2)`, [...opts.lock]);
    }
  } finally {
    await qr.release();
  }
}

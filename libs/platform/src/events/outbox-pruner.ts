import type { DataSource } from 'typeorm';

/** Advisory lock key (two-int form) that lets one process at a time prune; its own namespace, apart from Outbox.add's. */
const PRUNE_LOCK = [0x0b0f, 0] as const;

/**
 * Deletes delivered events older than `retentionDays`, with their delivery records and processed marks, in
 * batches so no statement holds many locks. Returns how many events went, or undefined when another process
 * was already pruning (the advisory lock is held by someone else).
 */
export async function pruneOutbox(dataSource: DataSource, retentionDays: number, batchSize = 5000): Promise<number | undefined> {
  const qr = dataSource.createQueryRunner();
  await qr.connect();
  try {
    const [{ locked }] = (await qr.query(`SELECT pg_try_advisory_lock($1, $2) AS locked`, [...PRUNE_LOCK])) as Array<{ locked: boolean }>;
    if (!locked) return undefined;
    try {
      let total = 0;
      for (;;) {
        const [{ n }] = (await qr.query(
          `WITH gone AS (
             DELETE FROM outbox_events
              WHERE id IN (SELECT id FROM outbox_events
                            WHERE delivered_at < now() - make_interval(days => $1::int)
                            LIMIT $2)
             RETURNING id
           ), marks AS (
             DELETE FROM processed_events WHERE event_id IN (SELECT id FROM gone)
           )
           SELECT count(*)::int AS n FROM gone`,
          [retentionDays, batchSize],
        )) as Array<{ n: number }>;
        total += n;
        if (n < batchSize) return total;
      }
    } finally {
      await qr.query(`SELECT pg_advisory_unlock($1, $2)`, [...PRUNE_LOCK]);
    }
  } finally {
    await qr.release();
  }
}

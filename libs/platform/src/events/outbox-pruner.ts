import type { DataSource } from 'typeorm';
import { deleteInBatches } from '../database/batched-delete.js';

/** Advisory lock key (two-int form) that lets one process at a time prune; its own namespace, apart from Outbox.add's. */
const PRUNE_LOCK = [0x0b0f, 0] as const;

/**
 * Deletes delivered events older than `retentionDays`, with their delivery records and processed marks, in
 * batches so no statement holds many locks. Returns how many events went, or undefined when another process
 * was already pruning (the advisory lock is held by someone else).
 */
export function pruneOutbox(dataSource: DataSource, retentionDays: number, batchSize = 5000): Promise<number | undefined> {
  return deleteInBatches(dataSource, {
    lock: PRUNE_LOCK,
    statement: `WITH gone AS (
                  DELETE FROM outbox_events
                   WHERE id IN (SELECT id FROM outbox_events
                                 WHERE delivered_at < now() - make_interval(days => $1::int)
                                 LIMIT $2)
                  RETURNING id
                ), marks AS (
                  DELETE FROM processed_events WHERE event_id IN (SELECT id FROM gone)
                )
                SELECT count(*)::int AS n FROM gone`,
    params: [retentionDays],
    batchSize,
  });
}

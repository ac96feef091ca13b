import { AcrossTenants } from '@atrium/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotificationsConfig } from './notifications.config.js';

/** Rows deleted per statement, so a large backlog never holds long locks. */
const BATCH = 5_000;

/** Deletes read notifications older than NOTIFICATION_RETENTION_DAYS, in batches, keeping each user's counts right. */
@Injectable()
export class NotificationRetention {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: NotificationsConfig,
  ) {}

  /** Answers how many it deleted. */
  @AcrossTenants()
  async prune(): Promise<number> {
    for (let deleted = 0; ;) {
      // One statement, so one transaction: the rows go with their counts. The counts rows are locked in key order first,
      // as the store locks them when it writes a fan-out, so a prune and a fan-out to the same members cannot deadlock.
      // `counted` runs to completion though nothing reads it (a data-modifying WITH always does).
      const [{ n }]: Array<{ n: number }> = await this.dataSource.query(
        `WITH gone AS (
           DELETE FROM notifications WHERE id IN (
             SELECT id FROM notifications WHERE read_at < now() - make_interval(days => $1::int) LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
           RETURNING organization_id, user_id, in_app),
         per AS (SELECT organization_id, user_id, count(*)::int AS n FROM gone WHERE in_app GROUP BY 1, 2),
         locked AS (
           SELECT c.organization_id, c.user_id FROM notification_counts c JOIN per USING (organization_id, user_id)
            ORDER BY c.organization_id, c.user_id FOR UPDATE OF c),
         counted AS (
           UPDATE notification_counts c SET total = c.total - per.n
             FROM per JOIN locked USING (organization_id, user_id)
            WHERE c.organization_id = per.organization_id AND c.user_id = per.user_id)
         SELECT count(*)::int AS n FROM gone`,
        [this.config.retentionDays],
      );
      deleted += n;
      if (n < BATCH) return deleted;
    }
  }
}

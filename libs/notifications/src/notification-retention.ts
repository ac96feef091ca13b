import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { DIGEST_JOB, type DigestJob, DigestSender } from './digests/digest-sender.js';
import { NotificationsConfig } from './notifications.config.js';

/** Notifications' queue: the daily retention job, and digests. */
export const NOTIFICATIONS_QUEUE = 'notifications';
export const PRUNE_JOB = 'prune';
/** The job scheduler's id: upserted by every worker at boot, it fires once a day across all of them. */
export const PRUNE_SCHEDULER = 'notifications-prune';
const DAY_MS = 24 * 3600 * 1000;
/** Rows deleted per statement, so a large backlog never holds long locks. */
const BATCH = 5_000;

/** Registers the daily retention job (worker processes only). */
@Injectable()
export class NotificationRetentionScheduler implements OnApplicationBootstrap {
  constructor(@InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      PRUNE_SCHEDULER,
      { every: DAY_MS },
      { name: PRUNE_JOB, data: {}, opts: { attempts: 3, removeOnComplete: { count: 30 }, removeOnFail: { count: 100 } } },
    );
  }
}

/** Deletes read notifications older than NOTIFICATION_RETENTION_DAYS, in batches, keeping each user's counts right. */
@Injectable()
export class NotificationRetention {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: NotificationsConfig,
  ) {}

  /** Answers how many it deleted. */
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

@Processor(NOTIFICATIONS_QUEUE)
export class NotificationsProcessor extends WorkerHost {
  constructor(
    private readonly retention: NotificationRetention,
    private readonly digests: DigestSender,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    if (job.name === PRUNE_JOB) return { deleted: await this.retention.prune() };
    if (job.name === DIGEST_JOB) return this.digests.send(job.data as DigestJob);
    throw new Error(`Unknown notifications job ${job.name}`);
  }
}

import { TenantScopedWorkerHost } from '@atrium/platform';
import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DIGEST_JOB, type DigestJob, DigestSender } from './digests/digest-sender.js';
import { DigestSweeper } from './digests/digest-sweeper.js';
import { NotificationRetention } from './notification-retention.js';

/** Notifications' queue: digests, the sweep that ends digests whose job was lost, and the daily retention job. */
export const NOTIFICATIONS_QUEUE = 'notifications';
export const PRUNE_JOB = 'prune';
export const DIGEST_SWEEP_JOB = 'digest-sweep';
/** The job schedulers' ids: upserted by every worker at boot, each fires once per period across all of them. */
export const PRUNE_SCHEDULER = 'notifications-prune';
export const DIGEST_SWEEP_SCHEDULER = 'notifications-digest-sweep';
const DAY_MS = 24 * 3600 * 1000;
const SWEEP_EVERY_MS = 5 * 60 * 1000;
const SCHEDULED = { attempts: 3, removeOnComplete: { count: 30 }, removeOnFail: { count: 100 } };

/** Registers the daily retention job and the digest sweep (worker processes only). */
@Injectable()
export class NotificationJobsScheduler implements OnApplicationBootstrap {
  constructor(@InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(PRUNE_SCHEDULER, { every: DAY_MS }, { name: PRUNE_JOB, data: {}, opts: SCHEDULED });
    await this.queue.upsertJobScheduler(
      DIGEST_SWEEP_SCHEDULER,
      { every: SWEEP_EVERY_MS },
      { name: DIGEST_SWEEP_JOB, data: {}, opts: SCHEDULED },
    );
  }
}

@Processor(NOTIFICATIONS_QUEUE)
export class NotificationsProcessor extends TenantScopedWorkerHost {
  constructor(
    private readonly retention: NotificationRetention,
    private readonly digests: DigestSender,
    private readonly sweeper: DigestSweeper,
  ) {
    super();
  }

  protected async run(job: Job): Promise<unknown> {
    if (job.name === DIGEST_JOB) return this.digests.send(job.data as DigestJob);
    if (job.name === DIGEST_SWEEP_JOB) return { sent: await this.sweeper.sweep() };
    if (job.name === PRUNE_JOB) return { deleted: await this.retention.prune() };
    throw new Error(`Unknown notifications job ${job.name}`);
  }
}

import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { TenantScopedWorkerHost } from '@atrium/platform';
import { AccessRetention } from './access-retention.js';

/** The access library's queue: the daily retention job. */
export const ACCESS_QUEUE = 'access';
export const ACCESS_PRUNE_JOB = 'prune';
/** The job scheduler's id: upserted by every worker at boot, it fires once a day across all of them. */
export const ACCESS_PRUNE_SCHEDULER = 'access-prune';
const DAY_MS = 24 * 3600 * 1000;

/** Registers the daily retention job (worker processes only). */
@Injectable()
export class AccessJobsScheduler implements OnApplicationBootstrap {
  constructor(@InjectQueue(ACCESS_QUEUE) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      ACCESS_PRUNE_SCHEDULER,
      { every: DAY_MS },
      { name: ACCESS_PRUNE_JOB, data: {}, opts: { attempts: 3, removeOnComplete: { count: 30 }, removeOnFail: { count: 100 } } },
    );
  }
}

@Processor(ACCESS_QUEUE)
export class AccessProcessor extends TenantScopedWorkerHost {
  constructor(private readonly retention: AccessRetention) {
    super();
  }

  protected async run(job: Job): Promise<unknown> {
    if (job.name === ACCESS_PRUNE_JOB) return (await this.retention.prune()) ?? { skipped: 'another process is pruning' };
    throw new Error(`Unknown access job ${job.name}`);
  }
}

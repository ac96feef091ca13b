import { TenantScopedWorkerHost } from '@atrium/platform';
import { Processor } from '@nestjs/bullmq';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import type { Job } from 'bullmq';
import { SYNC_RUN_JOB, SYNC_SWEEP_JOB, INTEGRATION_SYNC_QUEUE, type SyncRunJob, SyncRunScheduler } from './sync-queue.js';
import { SyncRunner } from './sync-runner.js';

/**
 * Runs sync jobs and the sweep. On shutdown a run stops after its current page and releases its lease, so the next
 * sweep of any live worker hands it on; a crashed worker's run is handed on once its lease expires.
 */
@Processor(INTEGRATION_SYNC_QUEUE, { concurrency: 4 })
export class SyncProcessor extends TenantScopedWorkerHost implements BeforeApplicationShutdown {
  private stopping = false;

  constructor(
    private readonly runner: SyncRunner,
    private readonly scheduler: SyncRunScheduler,
  ) {
    super();
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  protected async run(job: Job<SyncRunJob>): Promise<unknown> {
    if (job.name === SYNC_SWEEP_JOB) return { requeued: await this.scheduler.sweep() };
    if (job.name === SYNC_RUN_JOB) return this.runner.run(job.data.data.sync_run_id, () => this.stopping);
    throw new Error(`Unknown integration sync job ${job.name}`);
  }
}

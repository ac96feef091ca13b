import { TenantScopedWorkerHost } from '@atrium/platform';
import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { AuditIntegrityConfig } from './audit-integrity.config.js';
import { AuditRetention } from './audit-retention.js';
import { AuditSealer } from './audit-sealer.js';

/** The audit trail's queue: the sealer every few seconds, retention daily. */
export const AUDIT_QUEUE = 'audit';
export const SEAL_JOB = 'seal';
export const RETENTION_JOB = 'retention';
/** Job scheduler ids: upserted by every worker at boot, each fires once per period across all of them. */
export const SEAL_SCHEDULER = 'audit-seal';
export const RETENTION_SCHEDULER = 'audit-retention';
const DAY_MS = 24 * 3600 * 1000;

/** Registers the sealer and the daily retention job (worker processes only). */
@Injectable()
export class AuditJobsScheduler implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(AUDIT_QUEUE) private readonly queue: Queue,
    private readonly config: AuditIntegrityConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.sealIntervalSeconds > 0) {
      await this.queue.upsertJobScheduler(
        SEAL_SCHEDULER,
        { every: this.config.sealIntervalSeconds * 1000 },
        { name: SEAL_JOB, data: {}, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 100 } } },
      );
    } else {
      await this.queue.removeJobScheduler(SEAL_SCHEDULER);
    }
    await this.queue.upsertJobScheduler(
      RETENTION_SCHEDULER,
      { every: DAY_MS },
      { name: RETENTION_JOB, data: {}, opts: { attempts: 3, removeOnComplete: { count: 30 }, removeOnFail: { count: 100 } } },
    );
  }
}

@Processor(AUDIT_QUEUE)
export class AuditProcessor extends TenantScopedWorkerHost {
  constructor(
    private readonly sealer: AuditSealer,
    private readonly retention: AuditRetention,
  ) {
    super();
  }

  protected async run(job: Job): Promise<unknown> {
    if (job.name === SEAL_JOB) return this.sealer.run();
    if (job.name === RETENTION_JOB) return this.retention.prune();
    throw new Error(`Unknown audit job ${job.name}`);
  }
}

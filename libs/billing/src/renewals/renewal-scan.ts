import { TenantScopedWorkerHost } from '@atrium/platform';
import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { BillingConfig } from '../billing.config.js';
import { type RenewalScanResult, RenewalService } from './renewal.service.js';

/** The queue of billing's scheduled renewal scan. */
export const RENEWAL_QUEUE = 'billing-renewals';
/** The job scheduler's id: upserted by every worker process at boot, it fires once per interval across all of them. */
export const RENEWAL_SCAN_SCHEDULER = 'billing-renewal-scan';
const DEFAULT_SCAN_MS = 60_000;

/**
 * Registers the scan's job scheduler (worker processes only): every `BILLING_RENEWAL_SCAN_MS` (default one minute),
 * or removes it when that is 0. Upserting the same id from many processes keeps one scheduler.
 */
@Injectable()
export class RenewalScanScheduler implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(RENEWAL_QUEUE) private readonly queue: Queue,
    private readonly config: BillingConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const every = this.config.renewal.scanMs ?? DEFAULT_SCAN_MS;
    if (every <= 0) {
      await this.queue.removeJobScheduler(RENEWAL_SCAN_SCHEDULER);
      return;
    }
    await this.queue.upsertJobScheduler(
      RENEWAL_SCAN_SCHEDULER,
      { every },
      { name: 'scan', data: {}, opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } } },
    );
  }
}

/**
 * Runs the scan. A step that failed before an outcome (an unreachable gateway) fails the job so it shows in the
 * queue; its row is due again, and the next scan retries it.
 */
@Processor(RENEWAL_QUEUE)
export class RenewalScanProcessor extends TenantScopedWorkerHost {
  constructor(private readonly renewals: RenewalService) {
    super();
  }

  protected async run(_job: Job): Promise<Omit<RenewalScanResult, 'errors'> & { errors: number }> {
    const result = await this.renewals.runDue();
    if (result.errors.length) {
      throw new Error(
        `${result.errors.length} renewal step(s) failed: ${result.errors.map((e) => `${e.renewalId}: ${e.message}`).join('; ')}`,
      );
    }
    return { ...result, errors: 0 };
  }
}

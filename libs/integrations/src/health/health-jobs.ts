import { TenantScopedWorkerHost } from '@atrium/platform';
import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { IntegrationsConfig } from '../integrations.config.js';
import { HealthMonitor } from './health-monitor.js';

/** The queue of the scheduled health probe. */
export const INTEGRATION_HEALTH_QUEUE = 'integrations-health';
/** The job scheduler's id: upserted by every worker at boot, it fires once per interval across all of them. */
export const HEALTH_PROBE_SCHEDULER = 'integration-health-probe';
export const HEALTH_PROBE_JOB = 'probe';

/** Registers the probe every INTEGRATION_HEALTH_INTERVAL_SECONDS (worker processes only), or removes it when that is 0. */
@Injectable()
export class HealthProbeScheduler implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(INTEGRATION_HEALTH_QUEUE) private readonly queue: Queue,
    private readonly config: IntegrationsConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.health.intervalMs <= 0) {
      await this.queue.removeJobScheduler(HEALTH_PROBE_SCHEDULER);
      return;
    }
    await this.queue.upsertJobScheduler(
      HEALTH_PROBE_SCHEDULER,
      { every: this.config.health.intervalMs },
      { name: HEALTH_PROBE_JOB, data: {}, opts: { attempts: 1, removeOnComplete: { count: 20 }, removeOnFail: { count: 100 } } },
    );
  }
}

/** Runs one probe of every provider; a slow partner only delays its own row (each probe has its timeout). */
@Processor(INTEGRATION_HEALTH_QUEUE)
export class HealthProbeProcessor extends TenantScopedWorkerHost {
  constructor(private readonly monitor: HealthMonitor) {
    super();
  }

  protected async run(job: Job): Promise<unknown> {
    if (job.name !== HEALTH_PROBE_JOB) throw new Error(`Unknown integration health job ${job.name}`);
    return this.monitor.scan();
  }
}

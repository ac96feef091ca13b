import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { acrossTenants, Clock, deleteInBatches } from '@atrium/platform';
import { IntegrationsConfig } from '../integrations.config.js';
import { INTEGRATIONS_QUEUE } from '../processing/webhook-event-queue.js';

export const PRUNE_WEBHOOK_EVENTS_JOB = 'prune-webhook-events';
const PRUNE_SCHEDULER = 'integrations-prune-webhook-events';
const EVERY_MS = 3600 * 1000;
const SCHEDULED = { attempts: 3, removeOnComplete: { count: 30 }, removeOnFail: { count: 100 } };
/** Advisory lock key (two-int form): one process prunes at a time. */
const PRUNE_LOCK = [0x1e7e, 1] as const;

/**
 * Dedupe-record retention: settled webhook events (completed, ignored, dead) received more than
 * WEBHOOK_EVENT_RETENTION_DAYS ago are deleted with their attempts, in batches so no statement holds many locks.
 * Events still to be processed (received, processing, failed) stay whatever their age.
 */
@Injectable()
export class WebhookEventRetention {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: IntegrationsConfig,
    private readonly clock: Clock,
  ) {}

  /** Returns how many events went, or undefined when another process was pruning. */
  prune(batchSize = 1000): Promise<number | undefined> {
    const before = new Date(this.clock.now().getTime() - this.config.retentionDays * 86400_000);
    // Attempts go with their event (ON DELETE CASCADE). Every organization's events: across tenants (row-level security).
    return acrossTenants(() =>
      deleteInBatches(this.dataSource, {
        lock: PRUNE_LOCK,
        statement: `WITH gone AS (
                    DELETE FROM webhook_events
                     WHERE id IN (SELECT id FROM webhook_events
                                   WHERE created_at < $1 AND status IN ('completed', 'ignored', 'dead')
                                   LIMIT $2)
                    RETURNING id)
                  SELECT count(*)::int AS n FROM gone`,
        params: [before],
        batchSize,
      }),
    );
  }
}

/** Registers the hourly retention job (worker processes only); it fires once per period across all workers. */
@Injectable()
export class WebhookEventRetentionScheduler implements OnApplicationBootstrap {
  constructor(@InjectQueue(INTEGRATIONS_QUEUE) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      PRUNE_SCHEDULER,
      { every: EVERY_MS },
      { name: PRUNE_WEBHOOK_EVENTS_JOB, data: {}, opts: SCHEDULED },
    );
  }
}

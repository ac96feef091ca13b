import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AcrossTenants, envelope, type JobEnvelope, jobIdFor, Outbox, type OutboxEvent, RequestContext } from '@atrium/platform';
import { IntegrationsConfig } from '../integrations.config.js';

/** The queue of data sync runs, and of the sweep that hands stalled runs to a live worker. */
export const INTEGRATION_SYNC_QUEUE = 'integrations-sync';
export const SYNC_RUN_JOB = 'sync-run';
export const SYNC_SWEEP_JOB = 'sync-sweep';
export const SYNC_SWEEP_SCHEDULER = 'integration-sync-sweep';
/** The outbox event a trigger writes with its run: its job is queued once the run is committed. */
export const SYNC_RUN_QUEUED = 'integration_sync.queued';

export interface SyncRunQueued {
  sync_run_id: string;
}
export type SyncRunJob = JobEnvelope<SyncRunQueued>;
/** Take-overs after which a stalled run is failed rather than handed on again. */
export const MAX_TAKE_OVERS = 10;

/**
 * A run's job id per state it is queued in: `0` for the trigger's, else the take-over's key (resumes, pages done and
 * lease), so a redelivered event or a repeated sweep of the same stalled state adds nothing, while a run that stalls
 * again later (after a take-over job found it alive and left it) is queued anew.
 */
const runJobId = (runId: string, take: string) => jobIdFor(`integration-sync:${runId}:${take}`);

/**
 * Queues sync runs: each new run once its row is committed (outbox subscriber `integrations-sync-runs`), and every run
 * whose worker stopped committing pages for INTEGRATION_SYNC_LEASE_SECONDS (it crashed or was stopped) again, found by
 * a sweep that runs every quarter lease (worker processes only). The run's row, not the job, holds its progress.
 */
@Injectable()
export class SyncRunScheduler implements OnModuleInit {
  constructor(
    @InjectQueue(INTEGRATION_SYNC_QUEUE) private readonly queue: Queue,
    private readonly outbox: Outbox,
    private readonly dataSource: DataSource,
    private readonly config: IntegrationsConfig,
  ) {}

  onModuleInit(): void {
    this.outbox.subscribe({
      name: 'integrations-sync-runs',
      events: [SYNC_RUN_QUEUED],
      handle: async (event) => {
        const e = event as OutboxEvent<SyncRunQueued>;
        await this.enqueue(e.payload.sync_run_id, '0', e.organizationId ?? undefined, e.requestId ?? e.id);
      },
    });
  }

  /**
   * Queues the runs no live worker holds; answers how many. A run taken over MAX_TAKE_OVERS times without finishing
   * (it may be what kills its workers) is failed instead, for someone to look at and trigger again.
   */
  @AcrossTenants()
  async sweep(): Promise<number> {
    await this.dataSource.query(
      `UPDATE integration_sync_runs SET status = 'failed', finished_at = now(),
              error = 'Its worker stopped ' || resumes || ' times without finishing it; trigger the sync again'
        WHERE status = 'running' AND resumes >= $2 AND coalesce(heartbeat_at, created_at) < now() - $1 * interval '1 millisecond'`,
      [this.config.sync.leaseMs, MAX_TAKE_OVERS],
    );
    const stale = await this.dataSource.query<Array<{ id: string; organization_id: string; take: string }>>(
      `SELECT id, organization_id,
              concat_ws(':', resumes, pages_done, coalesce((extract(epoch FROM heartbeat_at) * 1000)::bigint::text, 'released')) AS take
         FROM integration_sync_runs
        WHERE status IN ('queued', 'running') AND coalesce(heartbeat_at, created_at) < now() - $1 * interval '1 millisecond'
        ORDER BY created_at LIMIT 100`,
      [this.config.sync.leaseMs],
    );
    for (const r of stale) await this.enqueue(r.id, r.take, r.organization_id, `sync-sweep:${r.id}`);
    return stale.length;
  }

  private async enqueue(runId: string, take: string, organizationId: string | undefined, requestId: string): Promise<void> {
    const ctx = RequestContext.system(requestId, organizationId);
    await this.queue.add(SYNC_RUN_JOB, envelope(ctx, `integration-sync:${runId}:${take}`, { sync_run_id: runId }), {
      jobId: runJobId(runId, take),
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
    });
  }
}

/** Registers the sweep of stalled runs, every quarter lease (at least every second). */
@Injectable()
export class SyncSweepScheduler implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(INTEGRATION_SYNC_QUEUE) private readonly queue: Queue,
    private readonly config: IntegrationsConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      SYNC_SWEEP_SCHEDULER,
      { every: Math.max(1000, Math.round(this.config.sync.leaseMs / 4)) },
      { name: SYNC_SWEEP_JOB, data: {}, opts: { attempts: 1, removeOnComplete: { count: 20 }, removeOnFail: { count: 100 } } },
    );
  }
}

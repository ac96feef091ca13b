import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Clock, envelope, type JobEnvelope, jobIdFor, Outbox, type OutboxEvent, RequestContext } from '@atrium/platform';

/**
 * Integrations' queue: scheduled retries of webhook events, retry-now and replays, and the retention job. First
 * attempts need no job: the stored event row is their queue entry (WebhookEventPump).
 */
export const INTEGRATIONS_QUEUE = 'integrations';
export const PROCESS_WEBHOOK_JOB = 'process-webhook-event';
/** Written with a failed attempt that has a retry left: queues the next attempt once the failure is committed. */
export const WEBHOOK_EVENT_RETRY_DUE = 'webhook_event.retry_due';
/** Written when an event's last scheduled attempt failed (it is `dead`): the admins' notification. */
export const WEBHOOK_EVENT_DEAD = 'webhook_event.dead';

/**
 * Why a processing run happens. `auto`: the first attempt (WebhookEventPump) or a scheduled retry (claims received and
 * failed events); `manual`: retry-now or a replay (also claims `dead` events); `forced`: a replay with `force` (claims
 * any event, completed ones included, so their effect runs again).
 */
export type ProcessingMode = 'auto' | 'manual' | 'forced';

/** A processing job's data. */
export interface WebhookEventRun {
  webhook_event_id: string;
  /**
   * The event's type (null: none was given), so a type nobody handles is settled without reading the event; absent in
   * manual runs (the stored row decides).
   */
  type?: string | null;
  /** Absent: `auto`. */
  mode?: ProcessingMode;
  /** A scheduled retry: the attempt number it is for; it runs only if the event has exactly the attempts before it. */
  attempt?: number;
}

export interface WebhookEventRetryDue {
  webhook_event_id: string;
  type: string | null;
  attempt: number;
  run_at: string;
}

/**
 * A completed processing job is dropped at once: the event row records the outcome, and a job re-added for a settled
 * event (a redelivered outbox event, a replay repeated) finds nothing to claim. Keeping thousands of finished jobs
 * costs the queue.
 */
const DONE = { removeOnComplete: true };

/** A processing job names the stored event only: the body and headers stay in the database. */
export type ProcessWebhookJob = JobEnvelope<WebhookEventRun>;

/** The job id of a scheduled retry. */
export const retryJobId = (eventId: string, attempt: number) => jobIdFor(`webhook-event:${eventId}:attempt:${attempt}`);

/**
 * Outbox subscriber `integrations-webhook-retries`: queues each scheduled retry once its failed attempt is committed,
 * delayed until it is due, so a crash after the failure cannot lose it. Also queues retry-now and replay runs.
 */
@Injectable()
export class WebhookEventScheduler implements OnModuleInit {
  constructor(
    @InjectQueue(INTEGRATIONS_QUEUE) private readonly queue: Queue<ProcessWebhookJob>,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.outbox.subscribe({
      name: 'integrations-webhook-retries',
      events: [WEBHOOK_EVENT_RETRY_DUE],
      handle: (event) => this.enqueueRetry(event as OutboxEvent<WebhookEventRetryDue>),
    });
  }

  /** Queues runs of several events now (retry-now, replay) under `key` (one job per event and key). */
  async enqueueNow(
    ctx: RequestContext,
    events: Array<{ id: string; type?: string | null }>,
    mode: ProcessingMode,
    key: string,
  ): Promise<void> {
    await this.queue.addBulk(
      events.map(({ id, type }) => ({
        name: PROCESS_WEBHOOK_JOB,
        data: envelope(ctx, `webhook-event:${id}:${key}`, { webhook_event_id: id, type, mode }),
        opts: { jobId: jobIdFor(`webhook-event:${id}:${key}`), ...DONE },
      })),
    );
  }

  private async enqueueRetry(event: OutboxEvent<WebhookEventRetryDue>): Promise<void> {
    const { webhook_event_id: id, type, attempt, run_at: runAt } = event.payload;
    const ctx = RequestContext.system(event.requestId ?? event.id, event.organizationId ?? undefined);
    const delay = Math.max(0, Date.parse(runAt) - this.clock.now().getTime());
    await this.queue.add(
      PROCESS_WEBHOOK_JOB,
      envelope(ctx, `webhook-event:${id}:attempt:${attempt}`, { webhook_event_id: id, type, mode: 'auto', attempt }),
      { jobId: retryJobId(id, attempt), delay, ...DONE },
    );
  }
}

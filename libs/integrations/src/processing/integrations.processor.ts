import { Processor } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { RequestContext, TenantScopedWorkerHost } from '@atrium/platform';
import { PRUNE_WEBHOOK_EVENTS_JOB, WebhookEventRetention } from '../retention/webhook-event-retention.js';
import { INTEGRATIONS_QUEUE, PROCESS_WEBHOOK_JOB, type ProcessWebhookJob } from './webhook-event-queue.js';
import { type ProcessingOutcome, WebhookEventProcessing } from './webhook-event-processing.js';

/**
 * Integrations' queue worker: scheduled retries, replays (up to 10,000 events each) and retention. 50 events at once
 * (each is its own row and transaction): a job spends most of its time waiting on round trips (the queue's and ours),
 * so width, not CPU, sets the rate. First attempts are the WebhookEventPump's. A handler's failure is
 * not the job's: it is recorded on the event, whose retry is a job of its own (the job's own retries are for
 * infrastructure errors, e.g. the database unreachable).
 */
@Processor(INTEGRATIONS_QUEUE, { concurrency: 50 })
export class IntegrationsProcessor extends TenantScopedWorkerHost {
  constructor(
    private readonly processing: WebhookEventProcessing,
    private readonly retention: WebhookEventRetention,
  ) {
    super();
  }

  protected async run(job: Job<ProcessWebhookJob>): Promise<ProcessingOutcome | { deleted: number | undefined }> {
    if (job.name === PRUNE_WEBHOOK_EVENTS_JOB) return { deleted: await this.retention.prune() };
    if (job.name !== PROCESS_WEBHOOK_JOB) throw new Error(`Unknown integrations job ${job.name}`);
    const { webhook_event_id: id, type, mode, attempt } = job.data.data;
    return this.processing.process(RequestContext.fromJSON(job.data.ctx), id, type, { mode, attempt });
  }
}

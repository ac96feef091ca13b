import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { RequestContext } from '@atrium/platform';
import { INTEGRATIONS_QUEUE, PROCESS_WEBHOOK_JOB, type ProcessWebhookJob } from './webhook-event-queue.js';
import { type ProcessingOutcome, WebhookEventProcessing } from './webhook-event-processing.js';

/** Integrations' queue worker; several events at once (each is its own row and transaction). */
@Processor(INTEGRATIONS_QUEUE, { concurrency: 10 })
export class IntegrationsProcessor extends WorkerHost {
  constructor(private readonly processing: WebhookEventProcessing) {
    super();
  }

  async process(job: Job<ProcessWebhookJob>): Promise<ProcessingOutcome> {
    if (job.name !== PROCESS_WEBHOOK_JOB) throw new Error(`Unknown integrations job ${job.name}`);
    return this.processing.process(RequestContext.fromJSON(job.data.ctx), job.data.data.webhook_event_id, job.data.data.type);
  }
}

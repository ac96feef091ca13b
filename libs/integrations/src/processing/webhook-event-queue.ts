import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { envelope, type JobEnvelope, jobIdFor, Outbox, type OutboxEvent, RequestContext } from '@atrium/platform';

/** Integrations' queue: processing of received webhook events. */
export const INTEGRATIONS_QUEUE = 'integrations';
export const PROCESS_WEBHOOK_JOB = 'process-webhook-event';
/** The outbox event the receiving path writes with each new stored webhook event. */
export const WEBHOOK_EVENT_RECEIVED = 'webhook_event.received';

export interface WebhookEventReceived {
  webhook_event_id: string;
  /** The event's type (null: none was given), so a type nobody handles is settled without reading the event. */
  type: string | null;
}

/** A processing job names the stored event only: the body and headers stay in the database. */
export type ProcessWebhookJob = JobEnvelope<WebhookEventReceived>;

/** The job id of an event's processing: queuing it twice (a redelivered outbox event) adds nothing. */
export const processJobId = (eventId: string) => jobIdFor(`webhook-event:${eventId}`);

/**
 * Outbox subscriber `integrations-webhook-events`: queues the processing of each stored webhook event once its row is
 * committed (it is written by the same statement), so a crash after the 2xx cannot lose it.
 */
@Injectable()
export class WebhookEventScheduler implements OnModuleInit {
  constructor(
    @InjectQueue(INTEGRATIONS_QUEUE) private readonly queue: Queue<ProcessWebhookJob>,
    private readonly outbox: Outbox,
  ) {}

  onModuleInit(): void {
    this.outbox.subscribe({
      name: 'integrations-webhook-events',
      events: [WEBHOOK_EVENT_RECEIVED],
      handle: (event) => this.enqueue(event as OutboxEvent<WebhookEventReceived>),
    });
  }

  private async enqueue(event: OutboxEvent<WebhookEventReceived>): Promise<void> {
    const { webhook_event_id: id, type } = event.payload;
    const ctx = RequestContext.system(event.requestId ?? event.id, event.organizationId ?? undefined);
    await this.queue.add(PROCESS_WEBHOOK_JOB, envelope(ctx, `webhook-event:${id}`, { webhook_event_id: id, type: type ?? null }), {
      jobId: processJobId(id),
    });
  }
}

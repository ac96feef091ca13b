import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { envelope, type JobEnvelope, jobIdFor, Outbox, type OutboxEvent, RequestContext } from '@atrium/platform';
import { SANDBOX_EVENT_RECORDED } from './sandbox-ledger.js';

/** The queue of the sandbox gateway's callbacks to Atrium. */
export const SANDBOX_CALLBACK_QUEUE = 'billing-sandbox-callbacks';

/**
 * Tries per callback: with exponential backoff from one second, the last is about 4.5 hours after the first (a real
 * gateway retries for days; `POST /payments/verify` reads the truth any time).
 */
export const SANDBOX_CALLBACK_ATTEMPTS = 15;

/** A callback job names its event only: the body is read and signed when it is sent, never carried. */
export type SandboxCallbackJob = JobEnvelope<{ event_id: string }>;

/**
 * Queues the callback of each recorded sandbox event once its charge's outcome is committed (an outbox subscriber,
 * registered in every process like every subscriber): a crash after the commit cannot lose a callback.
 */
@Injectable()
export class SandboxCallbackScheduler implements OnModuleInit {
  constructor(
    @InjectQueue(SANDBOX_CALLBACK_QUEUE) private readonly queue: Queue<SandboxCallbackJob>,
    private readonly outbox: Outbox,
  ) {}

  onModuleInit(): void {
    this.outbox.subscribe({
      name: 'sandbox-callbacks',
      events: [SANDBOX_EVENT_RECORDED],
      handle: (event) => this.enqueue(event as OutboxEvent<{ event_id: string }>),
    });
  }

  /** Queuing twice (a redelivered outbox event) is harmless: the job id is the event's. */
  private async enqueue(event: OutboxEvent<{ event_id: string }>): Promise<void> {
    const key = `sandbox-callback:${event.payload.event_id}`;
    await this.queue.add(
      'deliver',
      envelope(RequestContext.system(event.requestId ?? event.id), key, { event_id: event.payload.event_id }),
      {
        jobId: jobIdFor(key),
        attempts: SANDBOX_CALLBACK_ATTEMPTS,
        backoff: { type: 'exponential', delay: 1000 },
      },
    );
  }
}

import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { envelope, type JobEnvelope, jobIdFor, Outbox, type OutboxEvent, RequestContext } from '@atrium/platform';
import { CallEvent } from './call-lifecycle.js';
import { CallsConfig } from './calls.config.js';
import type { CallDto } from './dto/call.dto.js';

/** The queue of calls' timers: ring timeouts and reconnect grace periods (delayed jobs). */
export const CALL_TIMEOUT_QUEUE = 'messaging-call-timeouts';

export const RING_TIMEOUT_JOB = 'ring-timeout';
export const RECONNECT_GRACE_JOB = 'reconnect-grace';

/** Ends a call still ringing when it comes due. */
export type RingTimeoutJob = JobEnvelope<{ call_id: string }>;
/** Takes a user out of their calls in the organization when they still have no socket when it comes due. */
export type ReconnectGraceJob = JobEnvelope<{ user_id: string }>;

/**
 * Schedules calls' timers as delayed jobs, which hold with any number of instances and survive restarts. A ring
 * timeout is queued by an outbox subscriber of `call:incoming`, so a crash right after the call's commit cannot lose
 * it; its job id is the call's, so a redelivered event queues nothing twice.
 */
@Injectable()
export class CallTimeouts implements OnModuleInit {
  constructor(
    @InjectQueue(CALL_TIMEOUT_QUEUE) private readonly queue: Queue<RingTimeoutJob | ReconnectGraceJob>,
    private readonly outbox: Outbox,
    private readonly config: CallsConfig,
  ) {}

  onModuleInit(): void {
    this.outbox.subscribe({
      name: 'call-ring-timeouts',
      events: [CallEvent.incoming],
      handle: (event) => this.scheduleRingTimeout(event as OutboxEvent<{ call: CallDto }>),
    });
  }

  private async scheduleRingTimeout(event: OutboxEvent<{ call: CallDto }>): Promise<void> {
    const { call } = event.payload;
    const key = `call-ring:${call.id}`;
    // Counted from the call's start, so a late relay does not let it ring longer.
    const due = new Date(call.created_at).getTime() + this.config.ringTimeoutSeconds * 1000;
    await this.queue.add(
      RING_TIMEOUT_JOB,
      envelope(RequestContext.system(event.requestId ?? event.id, event.organizationId), key, { call_id: call.id }),
      { jobId: jobIdFor(key), delay: Math.max(0, due - Date.now()) },
    );
  }

  /** After a socket of a user in a call dropped (`dropId`: the socket's id, one timer per drop). */
  async scheduleReconnectGrace(organizationId: string, userId: string, dropId: string): Promise<void> {
    const key = `call-grace:${organizationId}:${userId}:${dropId}`;
    await this.queue.add(RECONNECT_GRACE_JOB, envelope(RequestContext.system(key, organizationId), key, { user_id: userId }), {
      jobId: jobIdFor(key),
      delay: this.config.reconnectGraceSeconds * 1000,
    });
  }
}

import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Outbox, type OutboxEvent } from '@atrium/platform';
import { NOTIFICATIONS_QUEUE } from '../notifications-queue.js';
import { DIGEST_JOB, type DigestJob, digestJob, digestJobId } from './digest-sender.js';
import { DIGEST_OPENED, type DigestOpenedPayload } from './notification-digests.js';

/**
 * Outbox subscriber `notifications.digests`: queues each opened digest's job, delayed until the digest is due. It runs
 * only once the digest row has committed, and the job id is the digest's, so a redelivered event queues nothing twice.
 */
@Injectable()
export class DigestScheduler implements OnModuleInit {
  constructor(
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue<DigestJob>,
    private readonly outbox: Outbox,
  ) {}

  onModuleInit(): void {
    this.outbox.subscribe({
      name: 'notifications.digests',
      events: [DIGEST_OPENED],
      handle: (event) => this.schedule(event as OutboxEvent<DigestOpenedPayload>),
    });
  }

  private async schedule(event: OutboxEvent<DigestOpenedPayload>): Promise<void> {
    const { due_at, digests } = event.payload;
    const delay = Math.max(0, Date.parse(due_at) - Date.now());
    await this.queue.addBulk(
      digests.map((d) => ({
        name: DIGEST_JOB,
        data: digestJob(event.requestId ?? event.id, d.organization_id, d.id),
        opts: { jobId: digestJobId(d.id), delay },
      })),
    );
  }
}

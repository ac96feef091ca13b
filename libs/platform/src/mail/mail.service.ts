import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { RequestContext } from '../context/request-context.js';
import { envelope, jobIdFor, type JobEnvelope } from '../queue/job-envelope.js';
import { MAIL_QUEUE, type MailMessage } from './mail-message.js';

/** Queues mail for delivery; the same idempotency key never sends twice. */
@Injectable()
export class MailService {
  constructor(@InjectQueue(MAIL_QUEUE) private readonly queue: Queue<JobEnvelope<MailMessage>>) {}

  async send(ctx: RequestContext, message: MailMessage, idempotencyKey: string): Promise<void> {
    await this.queue.add('send', envelope(ctx, idempotencyKey, message), { jobId: jobIdFor(idempotencyKey) });
  }
}

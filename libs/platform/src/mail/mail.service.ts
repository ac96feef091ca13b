import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import type { RequestContext } from '../context/request-context.js';
import { envelope, jobIdFor } from '../queue/job-envelope.js';
import { MAIL_QUEUE, type MailJob, type MailMessage } from './mail-message.js';

/** Queues mail for delivery; the same idempotency key never sends twice. */
@Injectable()
export class MailService {
  constructor(
    @InjectQueue(MAIL_QUEUE) private readonly queue: Queue<MailJob>,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * The message waits in its `mail_deliveries` row and the job names only the delivery: queues keep finished
   * jobs for days, and mail carries one-time links. Sending the same key again changes nothing.
   */
  async send(ctx: RequestContext, message: MailMessage, idempotencyKey: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO mail_deliveries (idempotency_key, organization_id, message) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [idempotencyKey, ctx.organizationId ?? null, JSON.stringify(message)],
    );
    await this.queue.add('send', envelope(ctx, idempotencyKey, {}), { jobId: jobIdFor(idempotencyKey) });
  }
}

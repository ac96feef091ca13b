import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { returnedRows } from '../database/sql-result.js';
import type { JobEnvelope } from '../queue/job-envelope.js';
import { jobIdFor } from '../queue/job-envelope.js';
import { MAIL_QUEUE, type MailMessage } from './mail-message.js';
import { MailTransport } from './mail-transport.js';

/** Sends queued mail. Safe to run twice: a delivery is claimed by its idempotency key before sending. */
@Processor(MAIL_QUEUE)
export class MailProcessor extends WorkerHost {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transport: MailTransport,
  ) {
    super();
  }

  async process(job: Job<JobEnvelope<MailMessage>>): Promise<{ sent: boolean }> {
    const { idempotencyKey, data, ctx } = job.data;
    const claimed = returnedRows<{ idempotency_key: string }>(
      await this.dataSource.query(
        `INSERT INTO mail_deliveries (idempotency_key, organization_id) VALUES ($1, $2)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key`,
        [idempotencyKey, ctx.organizationId ?? null],
      ),
    );
    if (!claimed.length) return { sent: false };
    try {
      await this.transport.send(data, jobIdFor(idempotencyKey));
    } catch (err) {
      await this.dataSource.query('DELETE FROM mail_deliveries WHERE idempotency_key = $1', [idempotencyKey]);
      throw err;
    }
    return { sent: true };
  }
}

import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { returnedRows } from '../database/sql-result.js';
import { jobIdFor } from '../queue/job-envelope.js';
import { MAIL_QUEUE, type MailJob, type MailMessage } from './mail-message.js';
import { MailTransport } from './mail-transport.js';

/**
 * Sends queued mail. Safe to run twice: claiming a delivery takes its message out of the row, so a second
 * run finds nothing to send, and a sent mail leaves no copy of its links behind.
 */
@Processor(MAIL_QUEUE)
export class MailProcessor extends WorkerHost {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transport: MailTransport,
  ) {
    super();
  }

  async process(job: Job<MailJob>): Promise<{ sent: boolean }> {
    const { idempotencyKey } = job.data;
    const [claimed] = returnedRows<{ message: MailMessage }>(
      await this.dataSource.query(
        `UPDATE mail_deliveries d SET message = NULL, claimed_at = now()
           FROM (SELECT idempotency_key, message FROM mail_deliveries
                  WHERE idempotency_key = $1 AND message IS NOT NULL FOR UPDATE) waiting
          WHERE d.idempotency_key = waiting.idempotency_key
         RETURNING waiting.message`,
        [idempotencyKey],
      ),
    );
    if (!claimed) return { sent: false };
    try {
      await this.transport.send(claimed.message, jobIdFor(idempotencyKey));
    } catch (err) {
      // The next attempt needs the message back; after the last one it is dropped and the delivery marked failed.
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.dataSource.query(
        last
          ? 'UPDATE mail_deliveries SET failed_at = now() WHERE idempotency_key = $1'
          : 'UPDATE mail_deliveries SET message = $2::jsonb, claimed_at = NULL WHERE idempotency_key = $1',
        last ? [idempotencyKey] : [idempotencyKey, JSON.stringify(claimed.message)],
      );
      throw err;
    }
    await this.dataSource.query('UPDATE mail_deliveries SET sent_at = now() WHERE idempotency_key = $1', [idempotencyKey]);
    return { sent: true };
  }
}

import { Processor } from '@nestjs/bullmq';
import { TenantScopedWorkerHost } from '../queue/scoped-worker-host.js';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { jobIdFor } from '../queue/job-envelope.js';
import { MAIL_QUEUE, type MailJob, type MailMessage } from './mail-message.js';
import { MailTransport } from './mail-transport.js';

/**
 * Sends queued mail. The delivery row stays locked (`FOR UPDATE SKIP LOCKED`) in a transaction while its message is
 * sent, and the message leaves the row only in that transaction's commit: a worker killed mid-send (its connection
 * dropped, the lock released) leaves the message in place for the job's next run, and a second run at the same time
 * skips the locked row. So a mail is sent at least once and, unless the process dies between the SMTP answer and the
 * commit, exactly once; it keeps its Message-ID on every attempt, so a resend can be recognised.
 */
@Processor(MAIL_QUEUE)
export class MailProcessor extends TenantScopedWorkerHost {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transport: MailTransport,
  ) {
    super();
  }

  protected async run(job: Job<MailJob>): Promise<{ sent: boolean }> {
    const { idempotencyKey } = job.data;
    try {
      return await this.dataSource.transaction(async (em) => {
        const [waiting] = await em.query<Array<{ message: MailMessage }>>(
          `SELECT message FROM mail_deliveries WHERE idempotency_key = $1 AND message IS NOT NULL FOR UPDATE SKIP LOCKED`,
          [idempotencyKey],
        );
        if (!waiting) return { sent: false };
        await em.query('UPDATE mail_deliveries SET claimed_at = now() WHERE idempotency_key = $1', [idempotencyKey]);
        await this.transport.send(waiting.message, jobIdFor(idempotencyKey));
        await em.query('UPDATE mail_deliveries SET message = NULL, sent_at = now() WHERE idempotency_key = $1', [idempotencyKey]);
        return { sent: true };
      });
    } catch (err) {
      // The message is still in the row for the next attempt; after the last one it is dropped and the delivery marked failed.
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        await this.dataSource.query(
          'UPDATE mail_deliveries SET message = NULL, failed_at = now() WHERE idempotency_key = $1 AND sent_at IS NULL',
          [idempotencyKey],
        );
      }
      throw err;
    }
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A queued mail's rendered message waits in its `mail_deliveries` row instead of the job: BullMQ keeps
 * finished jobs for a day and failed ones for a week, and mail carries one-time links. The processor takes
 * the message out of the row when it claims the delivery, so a sent (or finally failed) mail leaves none.
 * `sent_at` is now set when the mail is actually sent; rows from before were written at sending.
 */
export class MailDeliveryMessage1764000500100 implements MigrationInterface {
  name = 'MailDeliveryMessage1764000500100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE mail_deliveries
        ADD COLUMN message jsonb,
        ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN claimed_at timestamptz,
        ADD COLUMN failed_at timestamptz,
        ALTER COLUMN sent_at DROP NOT NULL,
        ALTER COLUMN sent_at DROP DEFAULT`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM mail_deliveries WHERE sent_at IS NULL`);
    await q.query(`
      ALTER TABLE mail_deliveries
        DROP COLUMN message,
        DROP COLUMN created_at,
        DROP COLUMN claimed_at,
        DROP COLUMN failed_at,
        ALTER COLUMN sent_at SET DEFAULT now(),
        ALTER COLUMN sent_at SET NOT NULL`);
  }
}

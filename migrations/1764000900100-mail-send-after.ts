import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A queued mail may be held until a time (`MailService.sendIn(..., { notBefore })`: notifications hold email during
 * a recipient's quiet hours). The outbox event that queues the delivery carries it, and its job is delayed until then;
 * null means at once, as every delivery before this migration.
 */
export class MailSendAfter1764000900100 implements MigrationInterface {
  name = 'MailSendAfter1764000900100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mail_deliveries ADD COLUMN send_after timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mail_deliveries DROP COLUMN send_after`);
  }
}

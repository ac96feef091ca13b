import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The digest sweep looks for digests open past their due time (their job was lost): by due time. */
export class NotificationDigestDue1764000900400 implements MigrationInterface {
  name = 'NotificationDigestDue1764000900400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_notification_digests_due ON notification_digests (due_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_notification_digests_due`);
  }
}

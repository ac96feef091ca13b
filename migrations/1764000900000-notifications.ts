import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications per user per organization, produced once per (event, type, recipient, organization) from committed
 * outbox events. `in_app` false keeps an email-only notification (for its delivery status) out of the list and the
 * counts. `notification_counts` holds each user's in-app total and unread count per organization, kept by the same
 * statements that insert, read and delete, so the badge and the list's total are one row read however many
 * notifications a user has. `notification_preferences` holds what a user chose (absent: the organization's defaults,
 * else each type's own). `email_key` names the mail's `mail_deliveries` row, whose state is the email status.
 */
export class Notifications1764000900000 implements MigrationInterface {
  name = 'Notifications1764000900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        type text NOT NULL,
        source_id uuid NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        link text,
        data jsonb NOT NULL DEFAULT '{}',
        in_app boolean NOT NULL,
        email_key text,
        read_at timestamptz,
        -- The clock, not the transaction's start: notifications written by one transaction keep their order.
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT uq_notifications_source UNIQUE (source_id, type, user_id, organization_id)
      )`);
    await q.query(`CREATE INDEX ix_notifications_list ON notifications (organization_id, user_id, created_at DESC, id DESC) WHERE in_app`);
    await q.query(
      `CREATE INDEX ix_notifications_unread ON notifications (organization_id, user_id, created_at DESC, id DESC) WHERE in_app AND read_at IS NULL`,
    );
    await q.query(`CREATE INDEX ix_notifications_prune ON notifications (read_at) WHERE read_at IS NOT NULL`);
    // The data export's keyset pages (a user's notifications in every organization, oldest first); deleting a user.
    await q.query(`CREATE INDEX ix_notifications_user ON notifications (user_id, created_at, id)`);
    await q.query(`
      CREATE TABLE notification_counts (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        total integer NOT NULL DEFAULT 0 CHECK (total >= 0),
        unread integer NOT NULL DEFAULT 0 CHECK (unread >= 0 AND unread <= total),
        PRIMARY KEY (organization_id, user_id)
      )`);
    await q.query(`
      CREATE TABLE notification_preferences (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        email_enabled boolean NOT NULL,
        in_app_enabled boolean NOT NULL,
        types jsonb NOT NULL DEFAULT '{}',
        quiet_hours jsonb,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, user_id)
      )`);
    await q.query(`CREATE INDEX ix_notification_preferences_user ON notification_preferences (user_id)`);
    // A mail's fate after it left: the mail provider reports delivered or bounced (the integrations' email webhooks).
    await q.query(`ALTER TABLE mail_deliveries ADD COLUMN delivered_at timestamptz, ADD COLUMN bounced_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mail_deliveries DROP COLUMN bounced_at, DROP COLUMN delivered_at`);
    await q.query(`DROP TABLE notification_preferences`);
    await q.query(`DROP TABLE notification_counts`);
    await q.query(`DROP TABLE notifications`);
  }
}

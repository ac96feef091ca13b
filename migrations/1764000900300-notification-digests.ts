import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Digests: what notification types with a digest gather per (organization, user, type, group) until their window
 * closes. `notification_digests` holds each open gathering (one per key) and when it is due; its delayed job locks the
 * row, turns what is left into one notification and deletes the row with its items. `notification_digest_events`
 * keeps each gathered event once per organization however many recipients gather it (its payload may hold user data),
 * and goes with the last item naming it, when the digest is sent or a read cancels it. Items keep the order they were
 * gathered in (`seq`), which is the events' commit order in their organization.
 */
export class NotificationDigests1764000900300 implements MigrationInterface {
  name = 'NotificationDigests1764000900300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_digests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        type text NOT NULL,
        group_key text NOT NULL,
        due_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_notification_digests_open UNIQUE (organization_id, user_id, type, group_key)
      )`);
    await q.query(`CREATE INDEX ix_notification_digests_user ON notification_digests (user_id)`);
    await q.query(`
      CREATE TABLE notification_digest_events (
        id uuid NOT NULL,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        payload jsonb,
        actor_id uuid,
        request_id text,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (id, organization_id)
      )`);
    await q.query(`CREATE INDEX ix_notification_digest_events_organization ON notification_digest_events (organization_id)`);
    await q.query(`
      CREATE TABLE notification_digest_items (
        digest_id uuid NOT NULL REFERENCES notification_digests(id) ON DELETE CASCADE,
        event_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (digest_id, event_id),
        FOREIGN KEY (event_id, organization_id) REFERENCES notification_digest_events(id, organization_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ix_notification_digest_items_event ON notification_digest_items (event_id, organization_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_digest_items`);
    await q.query(`DROP TABLE notification_digest_events`);
    await q.query(`DROP TABLE notification_digests`);
  }
}

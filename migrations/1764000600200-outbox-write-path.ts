import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A lighter write path for outbox events: every index a row joins costs each writer. `seq` comes from its own
 * sequence (unique by construction, so the UNIQUE index only cost inserts), and the relay's per-organization order
 * check reads the few pending rows through `outbox_events_pending` (seq) instead of a second partial index.
 */
export class OutboxWritePath1764000600200 implements MigrationInterface {
  name = 'OutboxWritePath1764000600200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_events DROP CONSTRAINT outbox_events_seq_key`);
    await q.query(`DROP INDEX outbox_events_pending_org`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX outbox_events_pending_org ON outbox_events (organization_id, seq) WHERE delivered_at IS NULL`);
    await q.query(`ALTER TABLE outbox_events ADD CONSTRAINT outbox_events_seq_key UNIQUE (seq)`);
  }
}

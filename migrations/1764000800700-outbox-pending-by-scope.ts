import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A relay claims the pending events of its own deployment (scope) in seq order, and looks for earlier pending ones of
 * the same scope: the pending index now leads with the scope, so events another deployment left undelivered on a
 * shared database (a stopped test run, a retired deployment) cost a relay nothing. Measured on the bench database,
 * with 4,400 pending rows left by stopped runs and 29,000 dead entries in the pending index, the claim took 7-9 ms and
 * the earlier-pending check as long again (a chat message's push waited for both). The queue tables get autovacuum
 * thresholds of their own: every event is updated once (delivered) and every delivery inserts a mark, and the
 * default 20 % scale factor lets dead entries pile up in the pending index between vacuums.
 */
export class OutboxPendingByScope1764000800700 implements MigrationInterface {
  name = 'OutboxPendingByScope1764000800700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX outbox_events_pending_scope ON outbox_events (scope, seq) WHERE delivered_at IS NULL`);
    await q.query(`DROP INDEX outbox_events_pending`);
    await q.query(`ALTER TABLE outbox_events SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000)`);
    await q.query(`ALTER TABLE processed_events SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE processed_events RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold)`);
    await q.query(`ALTER TABLE outbox_events RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold)`);
    await q.query(`CREATE INDEX outbox_events_pending ON outbox_events (seq) WHERE delivered_at IS NULL`);
    await q.query(`DROP INDEX outbox_events_pending_scope`);
  }
}

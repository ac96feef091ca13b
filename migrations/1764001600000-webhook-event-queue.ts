import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A received webhook event is its own queue entry: the receiving statement writes only the event row, and worker
 * processes take batches of their deployment's (`scope`, the queue prefix) `received` rows oldest first with FOR
 * UPDATE SKIP LOCKED, as `processing` under a lease (`next_attempt_at`), then run each in a transaction of its own.
 * Before, each row came with an outbox event that the relay turned into a queue job: a second row per webhook on the
 * hot path and three more writes per event behind it.
 *
 * `request_id` keeps the receiving request's id for the processing logs. Events still `received` are given the
 * deployment their pending outbox announcement named, so a deployment that upgrades with a backlog processes it.
 */
export class WebhookEventQueue1764001600000 implements MigrationInterface {
  name = 'WebhookEventQueue1764001600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_events ADD COLUMN scope text NOT NULL DEFAULT '', ADD COLUMN request_id text`);
    await q.query(`
      UPDATE webhook_events e SET scope = o.scope, request_id = o.request_id
        FROM outbox_events o
       WHERE e.status = 'received' AND o.name = 'webhook_event.received' AND o.payload->>'webhook_event_id' = e.id::text`);
    // Nothing subscribes to the announcements any more: marked delivered, the outbox pruner removes them.
    await q.query(`UPDATE outbox_events SET delivered_at = now() WHERE name = 'webhook_event.received' AND delivered_at IS NULL`);
    await q.query(
      `CREATE INDEX ix_webhook_events_pending ON webhook_events (scope, created_at) WHERE status IN ('received', 'processing')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_webhook_events_pending`);
    // Pending events are announced again, so the outbox relay queues them as before.
    await q.query(`
      INSERT INTO outbox_events (id, name, organization_id, payload, rooms, request_id, scope)
      SELECT gen_random_uuid(), 'webhook_event.received', organization_id,
             jsonb_build_object('webhook_event_id', id, 'type', event_type), '{}'::text[], request_id, scope
        FROM webhook_events WHERE status = 'received'`);
    await q.query(`ALTER TABLE webhook_events DROP COLUMN request_id, DROP COLUMN scope`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox: events written in the changing transaction, the per-subscriber retry and parking
 * state of their delivery, and the (event, subscriber) pairs already processed, which make effects exactly-once.
 */
export class Outbox1764000600000 implements MigrationInterface {
  name = 'Outbox1764000600000';

  async up(q: QueryRunner): Promise<void> {
    // `seq` is the order of delivery; writers of one organization are serialized (see Outbox.add), so it is their commit order.
    await q.query(`
      CREATE TABLE outbox_events (
        id uuid PRIMARY KEY,
        seq bigserial NOT NULL UNIQUE,
        name text NOT NULL,
        organization_id uuid,
        actor_id text,
        payload jsonb NOT NULL,
        rooms text[] NOT NULL DEFAULT '{}',
        request_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        available_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      )`);
    // Only undelivered rows are indexed: the relay's claim and its order check stay cheap however many delivered rows await pruning.
    await q.query(`CREATE INDEX outbox_events_pending ON outbox_events (seq) WHERE delivered_at IS NULL`);
    await q.query(`CREATE INDEX outbox_events_pending_org ON outbox_events (organization_id, seq) WHERE delivered_at IS NULL`);
    await q.query(`CREATE INDEX outbox_events_delivered ON outbox_events (delivered_at) WHERE delivered_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE outbox_deliveries (
        event_id uuid NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
        subscriber text NOT NULL,
        attempts integer NOT NULL,
        next_attempt_at timestamptz NOT NULL,
        last_error text,
        parked_at timestamptz,
        PRIMARY KEY (event_id, subscriber)
      )`);
    await q.query(`CREATE INDEX outbox_deliveries_parked ON outbox_deliveries (parked_at) WHERE parked_at IS NOT NULL`);
    // No foreign key: the row is written in the subscriber's transaction while the relay holds the event row locked.
    await q.query(`
      CREATE TABLE processed_events (
        event_id uuid NOT NULL,
        subscriber text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, subscriber)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS processed_events`);
    await q.query(`DROP TABLE IF EXISTS outbox_deliveries`);
    await q.query(`DROP TABLE IF EXISTS outbox_events`);
  }
}

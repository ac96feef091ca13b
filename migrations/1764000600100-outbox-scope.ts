import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The deployment an outbox event belongs to (its QUEUE_PREFIX): only that deployment's relays deliver it, since
 * effects such as queued mail land in that deployment's queues. One database per deployment leaves it constant.
 */
export class OutboxScope1764000600100 implements MigrationInterface {
  name = 'OutboxScope1764000600100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_events ADD COLUMN scope text NOT NULL DEFAULT ''`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_events DROP COLUMN scope`);
  }
}

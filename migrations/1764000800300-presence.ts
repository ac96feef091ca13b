import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who is online, across instances: each api process (a socket instance, with a heartbeat) counts its sockets per
 * member of an organization. A member is online while their counts add up to more than zero; the change to and from
 * zero happens under a per-member advisory lock and publishes `presence:changed` in the same transaction, so the
 * announced states alternate in the order they happened. An instance that stops beating is swept by the others.
 */
export class Presence1764000800300 implements MigrationInterface {
  name = 'Presence1764000800300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE socket_instances (
        id uuid PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE presence_sockets (
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        instance_id uuid NOT NULL,
        sockets integer NOT NULL CHECK (sockets > 0),
        since timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, user_id, instance_id)
      )`);
    await q.query(`CREATE INDEX ix_presence_sockets_instance ON presence_sockets (instance_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE presence_sockets`);
    await q.query(`DROP TABLE socket_instances`);
  }
}

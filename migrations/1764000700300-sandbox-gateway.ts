import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The built-in sandbox gateway's own side of the world, as a real gateway keeps it: its customers, saved test
 * cards, charges (the only truth about a charge) and the events it calls Atrium back with. Ids are the gateway's
 * (`sbx_…`), not Atrium's; Atrium's payment id is only metadata here. No card number is ever stored, and the
 * checkout page's token only as a SHA-256 hash.
 */
export class SandboxGateway1764000700300 implements MigrationInterface {
  name = 'SandboxGateway1764000700300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sandbox_customers (
        id text PRIMARY KEY,
        organization_id uuid NOT NULL UNIQUE,
        name text NOT NULL,
        email text,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE sandbox_payment_methods (
        id text PRIMARY KEY,
        customer_id text NOT NULL REFERENCES sandbox_customers (id) ON DELETE CASCADE,
        brand text NOT NULL,
        last4 text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
        behaviour text NOT NULL CHECK (behaviour IN ('succeed', 'decline', 'insufficient_funds')),
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX sandbox_payment_methods_customer ON sandbox_payment_methods (customer_id)`);
    await q.query(`
      CREATE TABLE sandbox_charges (
        id text PRIMARY KEY,
        customer_id text NOT NULL REFERENCES sandbox_customers (id) ON DELETE CASCADE,
        payment_method_id text REFERENCES sandbox_payment_methods (id) ON DELETE SET NULL,
        payment_id text NOT NULL,
        organization_id uuid NOT NULL,
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        description text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled')),
        failure_code text,
        failure_message text,
        checkout_token_hash text UNIQUE,
        return_url text,
        idempotency_key text NOT NULL UNIQUE,
        off_session boolean NOT NULL,
        created_at timestamptz NOT NULL,
        completed_at timestamptz,
        CHECK ((status = 'pending') = (completed_at IS NULL)),
        CHECK (off_session OR checkout_token_hash IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX sandbox_charges_organization ON sandbox_charges (organization_id)`);
    await q.query(`CREATE INDEX sandbox_charges_customer ON sandbox_charges (customer_id)`);
    await q.query(`
      CREATE TABLE sandbox_events (
        id text PRIMARY KEY,
        type text NOT NULL,
        charge_id text NOT NULL REFERENCES sandbox_charges (id) ON DELETE CASCADE,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        delivered_at timestamptz,
        attempts integer NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX sandbox_events_charge ON sandbox_events (charge_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS sandbox_events`);
    await q.query(`DROP TABLE IF EXISTS sandbox_charges`);
    await q.query(`DROP TABLE IF EXISTS sandbox_payment_methods`);
    await q.query(`DROP TABLE IF EXISTS sandbox_customers`);
  }
}

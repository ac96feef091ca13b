import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invoices: each organization's billing details, the invoices issued for succeeded payments (numbers gap-free per
 * organization and calendar year, allocated from `invoice_counters` in the payment's transaction).
 */
export class Invoices1764000700400 implements MigrationInterface {
  name = 'Invoices1764000700400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE billing_profiles (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        legal_name text NOT NULL,
        email text NOT NULL,
        address_line1 text,
        address_line2 text,
        postal_code text,
        city text,
        country text CHECK (country ~ '^[A-Z]{2}$'),
        tax_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_billing_profiles_organization ON billing_profiles (organization_id)`);

    await q.query(`
      CREATE TABLE invoice_counters (
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        year integer NOT NULL,
        last_seq integer NOT NULL CHECK (last_seq >= 0),
        PRIMARY KEY (organization_id, year)
      )`);

    // payment_id names a row of payments (added by the payments migration); one invoice per payment.
    await q.query(`
      CREATE TABLE invoices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        payment_id uuid NOT NULL,
        number text NOT NULL,
        year integer NOT NULL,
        seq integer NOT NULL CHECK (seq > 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        lines jsonb NOT NULL,
        total_minor bigint NOT NULL,
        billing_details jsonb NOT NULL,
        issued_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_invoices_payment ON invoices (payment_id)`);
    await q.query(`CREATE UNIQUE INDEX uq_invoices_organization_year_seq ON invoices (organization_id, year, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['invoices', 'invoice_counters', 'billing_profiles']) await q.query(`DROP TABLE IF EXISTS ${t}`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Plans and payments: quotes, what the current period cost (for the credit of an upgrade), a scheduled downgrade,
 * the saved payment method's display reference, add-ons ending at period end, payments, gateway callback events
 * (claimed by their id) and each organization's customer at each gateway.
 */
export class BillingPlansPayments1764000700000 implements MigrationInterface {
  name = 'BillingPlansPayments1764000700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE organization_subscriptions
        ADD COLUMN current_period_start timestamptz,
        ADD COLUMN custom_months integer CHECK (custom_months BETWEEN 1 AND 36),
        ADD COLUMN amount_minor bigint NOT NULL DEFAULT 0 CHECK (amount_minor >= 0),
        ADD COLUMN currency text NOT NULL DEFAULT 'USD',
        ADD COLUMN scheduled_change jsonb,
        ADD COLUMN payment_method_gateway text CHECK (payment_method_gateway IN ('sandbox', 'stripe')),
        ADD COLUMN payment_method_ref text,
        ADD COLUMN payment_method_brand text,
        ADD COLUMN payment_method_last4 text`);
    await q.query(`ALTER TABLE organization_features ADD COLUMN cancel_at timestamptz, ADD COLUMN payment_id uuid`);

    await q.query(`
      CREATE TABLE billing_quotes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        package_id integer NOT NULL REFERENCES packages (id),
        period text NOT NULL,
        custom_months integer,
        list_minor bigint NOT NULL CHECK (list_minor >= 0),
        credit_minor bigint NOT NULL CHECK (credit_minor >= 0),
        due_minor bigint NOT NULL CHECK (due_minor >= 0),
        currency text NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        payment_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_billing_quotes_organization_id ON billing_quotes (organization_id)`);

    await q.query(`
      CREATE TABLE payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        created_by uuid,
        gateway text NOT NULL CHECK (gateway IN ('sandbox', 'stripe')),
        payment_type text NOT NULL CHECK (payment_type IN ('package_upgrade', 'feature_purchase', 'renewal')),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled')),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency text NOT NULL,
        description text NOT NULL,
        purchase jsonb NOT NULL,
        lines jsonb NOT NULL,
        transaction_id text,
        checkout_url text,
        failure_code text,
        failure_message text,
        succeeded_at timestamptz,
        failed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_payments_gateway_transaction UNIQUE (gateway, transaction_id)
      )`);
    await q.query(`CREATE INDEX ix_payments_organization_created ON payments (organization_id, created_at DESC)`);

    await q.query(`
      CREATE TABLE payment_events (
        gateway text NOT NULL,
        event_id text NOT NULL,
        type text NOT NULL,
        transaction_id text,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        outcome text,
        PRIMARY KEY (gateway, event_id)
      )`);
    await q.query(`CREATE INDEX ix_payment_events_unprocessed ON payment_events (received_at) WHERE processed_at IS NULL`);

    await q.query(`
      CREATE TABLE billing_customers (
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        gateway text NOT NULL,
        customer_ref text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, gateway)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['billing_customers', 'payment_events', 'payments', 'billing_quotes']) await q.query(`DROP TABLE IF EXISTS ${t}`);
    await q.query(`ALTER TABLE organization_features DROP COLUMN cancel_at, DROP COLUMN payment_id`);
    await q.query(`
      ALTER TABLE organization_subscriptions
        DROP COLUMN current_period_start, DROP COLUMN custom_months, DROP COLUMN amount_minor, DROP COLUMN currency,
        DROP COLUMN scheduled_change, DROP COLUMN payment_method_gateway, DROP COLUMN payment_method_ref,
        DROP COLUMN payment_method_brand, DROP COLUMN payment_method_last4`);
  }
}

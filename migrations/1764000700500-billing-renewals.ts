import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Renewals and dunning: one row per organization and paid period end being renewed. UNIQUE (organization_id,
 * period_end) is the exactly-once key: every step (notice, charge attempt, lapse) claims the row with a conditional
 * UPDATE, so two workers and a re-delivered scan job do each thing once.
 */
export class BillingRenewals1764000700500 implements MigrationInterface {
  name = 'BillingRenewals1764000700500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE billing_renewals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        period_end timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'scheduled'
          CHECK (status IN ('scheduled', 'charging', 'retry', 'renewed', 'lapsed', 'ended', 'superseded')),
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at timestamptz NOT NULL,
        anchor_at timestamptz,
        renewed_until timestamptz,
        last_payment_id uuid REFERENCES payments (id) ON DELETE SET NULL,
        notice_sent_at timestamptz,
        failure_code text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_billing_renewals_org_period ON billing_renewals (organization_id, period_end)`);
    // The scan's question: which open rows are due now.
    await q.query(
      `CREATE INDEX ix_billing_renewals_due ON billing_renewals (next_attempt_at) WHERE status IN ('scheduled', 'charging', 'retry')`,
    );
    await q.query(`CREATE INDEX ix_billing_renewals_renewed_until ON billing_renewals (organization_id, renewed_until)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE billing_renewals`);
  }
}

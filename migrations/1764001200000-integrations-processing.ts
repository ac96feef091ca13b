import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Integrations, processing: when a failed event's next attempt is due (`next_attempt_at`), the index the retention job
 * prunes settled events by, and the external users the `user.*` handlers map (integrations owns them). Billing's
 * handlers record partner invoices as `payments` of gateway `external` (the billing history) and partner
 * subscriptions in `external_subscriptions`. Mail deliveries get the message id their mail carried (the first 40 hex of
 * SHA-256 of the delivery key, as the mail processor sends it), so `email.delivered`/`email.bounced` find theirs.
 */
export class IntegrationsProcessing1764001200000 implements MigrationInterface {
  name = 'IntegrationsProcessing1764001200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_events ADD COLUMN next_attempt_at timestamptz`);
    await q.query(`CREATE INDEX ix_webhook_events_settled ON webhook_events (created_at) WHERE status IN ('completed', 'ignored', 'dead')`);
    await q.query(`
      CREATE TABLE integration_external_users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        provider_id uuid NOT NULL REFERENCES webhook_providers(id) ON DELETE CASCADE,
        external_id text NOT NULL,
        email text,
        name text,
        user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        last_event_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_integration_external_users UNIQUE (provider_id, external_id)
      )`);
    await q.query(
      `CREATE INDEX ix_integration_external_users_list ON integration_external_users (organization_id, created_at DESC, id DESC)`,
    );

    await q.query(`ALTER TABLE payments DROP CONSTRAINT payments_gateway_check`);
    await q.query(`ALTER TABLE payments ADD CONSTRAINT payments_gateway_check CHECK (gateway IN ('sandbox', 'stripe', 'external'))`);
    await q.query(`ALTER TABLE payments DROP CONSTRAINT payments_payment_type_check`);
    await q.query(
      `ALTER TABLE payments ADD CONSTRAINT payments_payment_type_check
         CHECK (payment_type IN ('package_upgrade', 'feature_purchase', 'renewal', 'external_invoice'))`,
    );
    await q.query(`
      CREATE TABLE external_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        provider text NOT NULL,
        provider_id uuid NOT NULL,
        external_id text NOT NULL,
        external_user_id text,
        plan text,
        status text NOT NULL,
        amount_minor bigint,
        currency text,
        last_event_type text NOT NULL,
        cancelled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_external_subscriptions UNIQUE (provider_id, external_id)
      )`);
    await q.query(`CREATE INDEX ix_external_subscriptions_list ON external_subscriptions (organization_id, created_at DESC, id DESC)`);

    await q.query(`ALTER TABLE mail_deliveries ADD COLUMN message_id text`);
    await q.query(`UPDATE mail_deliveries SET message_id = left(encode(sha256(convert_to(idempotency_key, 'UTF8')), 'hex'), 40)`);
    await q.query(`CREATE INDEX ix_mail_deliveries_message_id ON mail_deliveries (message_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_mail_deliveries_message_id`);
    await q.query(`ALTER TABLE mail_deliveries DROP COLUMN IF EXISTS message_id`);
    await q.query(`DROP TABLE IF EXISTS external_subscriptions`);
    await q.query(`DELETE FROM payments WHERE gateway = 'external'`);
    await q.query(`ALTER TABLE payments DROP CONSTRAINT payments_payment_type_check`);
    await q.query(
      `ALTER TABLE payments ADD CONSTRAINT payments_payment_type_check CHECK (payment_type IN ('package_upgrade', 'feature_purchase', 'renewal'))`,
    );
    await q.query(`ALTER TABLE payments DROP CONSTRAINT payments_gateway_check`);
    await q.query(`ALTER TABLE payments ADD CONSTRAINT payments_gateway_check CHECK (gateway IN ('sandbox', 'stripe'))`);
    await q.query(`DROP TABLE IF EXISTS integration_external_users`);
    await q.query(`DROP INDEX IF EXISTS ix_webhook_events_settled`);
    await q.query(`ALTER TABLE webhook_events DROP COLUMN IF EXISTS next_attempt_at`);
  }
}

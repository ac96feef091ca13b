import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Integrations, first slice: webhook providers per organization (signing secrets sealed with the platform's secret
 * box; during a rotation the previous one verifies until `previous_secret_expires_at`), the events they send (raw body
 * and headers, unique per provider and event id: the dedupe claim of the receiving path), and every processing
 * attempt. A deleted provider keeps its row (its events still name it, and its senders are answered 410) without its
 * secrets, and frees its name. The built-in roles get `integrations.view` (owner, admin, manager) and
 * `integrations.manage` (owner, admin) where an organization's roles predate them.
 */
export class Integrations1764001100000 implements MigrationInterface {
  name = 'Integrations1764001100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_providers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        base_url text,
        health_path text,
        signature_scheme text NOT NULL CHECK (signature_scheme IN ('hmac-sha256', 'standard-webhooks', 'stripe')),
        event_types text[] NOT NULL DEFAULT '{}',
        secret_sealed text,
        previous_secret_sealed text,
        previous_secret_expires_at timestamptz,
        secret_rotated_at timestamptz,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT ck_webhook_providers_secret CHECK (deleted_at IS NOT NULL OR secret_sealed IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_webhook_providers_name ON webhook_providers (organization_id, name) WHERE deleted_at IS NULL`);
    // The receiving path's lookup (also of deleted providers, to answer 410), and the list.
    await q.query(`CREATE INDEX ix_webhook_providers_lookup ON webhook_providers (organization_id, name, deleted_at)`);
    await q.query(`
      CREATE TABLE webhook_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        provider_id uuid NOT NULL REFERENCES webhook_providers(id) ON DELETE CASCADE,
        external_id text NOT NULL,
        event_type text,
        body bytea NOT NULL,
        headers jsonb NOT NULL,
        status text NOT NULL DEFAULT 'received'
          CHECK (status IN ('received', 'processing', 'completed', 'failed', 'dead', 'ignored')),
        retry_count integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        CONSTRAINT uq_webhook_events_external UNIQUE (provider_id, external_id)
      )`);
    await q.query(`CREATE INDEX ix_webhook_events_list ON webhook_events (organization_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_webhook_events_provider ON webhook_events (provider_id, created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE webhook_event_attempts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('completed', 'failed', 'ignored')),
        error text,
        CONSTRAINT uq_webhook_event_attempts UNIQUE (event_id, attempt)
      )`);
    await q.query(`CREATE INDEX ix_webhook_event_attempts_organization ON webhook_event_attempts (organization_id)`);
    for (const [permission, roles] of [
      ['integrations.view', ['owner', 'admin', 'manager']],
      ['integrations.manage', ['owner', 'admin']],
    ] as const) {
      await q.query(
        `UPDATE roles SET permissions = array_append(permissions, $1)
          WHERE built_in AND slug = ANY ($2::text[]) AND NOT ($1 = ANY (permissions))`,
        [permission, roles],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    // The permissions stay: built-in roles have held them since the foundation (only older rows lacked them).
    await q.query(`DROP TABLE IF EXISTS webhook_event_attempts`);
    await q.query(`DROP TABLE IF EXISTS webhook_events`);
    await q.query(`DROP TABLE IF EXISTS webhook_providers`);
  }
}

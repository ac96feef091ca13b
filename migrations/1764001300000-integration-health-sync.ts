import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Integrations, health and data sync: the latest health probe of each provider (with its run of consecutive failed
 * probes, which decides `down`), the data sync runs (one active per provider and type, enforced here by a partial
 * unique index; each keeps the pages it has committed, so a run taken over after a crash resumes after them), and the
 * records synced, one row per provider, type and external id (the idempotent upsert's key).
 */
export class IntegrationHealthSync1764001300000 implements MigrationInterface {
  name = 'IntegrationHealthSync1764001300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE integration_health (
        provider_id uuid PRIMARY KEY REFERENCES webhook_providers(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('healthy', 'degraded', 'down')),
        response_time_ms integer,
        error_message text,
        consecutive_failures integer NOT NULL DEFAULT 0,
        last_check timestamptz NOT NULL,
        last_success_at timestamptz,
        status_changed_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_integration_health_organization ON integration_health (organization_id)`);
    await q.query(`
      CREATE TABLE integration_sync_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        provider_id uuid NOT NULL REFERENCES webhook_providers(id) ON DELETE CASCADE,
        sync_type text NOT NULL CHECK (sync_type IN ('users', 'subscriptions', 'notifications')),
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
        pages_done integer NOT NULL DEFAULT 0,
        total integer,
        records_synced integer NOT NULL DEFAULT 0,
        records_created integer NOT NULL DEFAULT 0,
        records_updated integer NOT NULL DEFAULT 0,
        error text,
        resumes integer NOT NULL DEFAULT 0,
        triggered_by uuid,
        heartbeat_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_integration_sync_runs_active ON integration_sync_runs (provider_id, sync_type) WHERE status IN ('queued', 'running')`,
    );
    await q.query(`CREATE INDEX ix_integration_sync_runs_list ON integration_sync_runs (organization_id, created_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX ix_integration_sync_runs_stale ON integration_sync_runs (heartbeat_at) WHERE status IN ('queued', 'running')`,
    );
    // The status map's look for events awaiting a retry or dead, per provider, without reading its whole log.
    await q.query(
      `CREATE INDEX ix_webhook_events_provider_failures ON webhook_events (provider_id, created_at DESC) WHERE status IN ('failed', 'dead')`,
    );
    await q.query(`
      CREATE TABLE integration_synced_records (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        provider_id uuid NOT NULL REFERENCES webhook_providers(id) ON DELETE CASCADE,
        sync_type text NOT NULL,
        external_id text NOT NULL,
        data jsonb NOT NULL,
        synced_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_integration_synced_records UNIQUE (provider_id, sync_type, external_id)
      )`);
    await q.query(`CREATE INDEX ix_integration_synced_records_organization ON integration_synced_records (organization_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS integration_synced_records`);
    await q.query(`DROP TABLE IF EXISTS integration_sync_runs`);
    await q.query(`DROP INDEX IF EXISTS ix_webhook_events_provider_failures`);
    await q.query(`DROP TABLE IF EXISTS integration_health`);
  }
}

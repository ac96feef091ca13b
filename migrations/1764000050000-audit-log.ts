import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit trail: one row per mutating action, written in the same transaction as the change. */
export class AuditLog1764000050000 implements MigrationInterface {
  name = 'AuditLog1764000050000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_logs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        actor_user_id uuid,
        actor_api_key_id uuid,
        action text NOT NULL,
        resource_type text NOT NULL,
        resource_id text,
        before jsonb,
        after jsonb,
        metadata jsonb NOT NULL DEFAULT '{}',
        ip text,
        user_agent text,
        request_id text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_audit_logs_org_created ON audit_logs (organization_id, created_at DESC)`);
    await q.query(`CREATE INDEX ix_audit_logs_org_action ON audit_logs (organization_id, action)`);
    await q.query(`CREATE INDEX ix_audit_logs_org_resource ON audit_logs (organization_id, resource_type, resource_id)`);
    await q.query(`CREATE INDEX ix_audit_logs_actor ON audit_logs (actor_user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS audit_logs`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for reading the audit trail newest first (created_at DESC, seq DESC: the list's and the keyset cursor's
 * order) within an organization, alone or filtered by action, by actor or by resource: each filter reads an index
 * range in order and stops after one page, at 1,000,000 entries as at 10. They replace the earlier ones on the same
 * leading columns (which could filter but not order), so writers keep the same number of indexes to maintain. The
 * (organization, actor) index also serves the viewable-users skip scan.
 */
export class AuditQueryIndexes1764001000200 implements MigrationInterface {
  name = 'AuditQueryIndexes1764001000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_audit_logs_org_created`);
    await q.query(`DROP INDEX ix_audit_logs_org_action`);
    await q.query(`DROP INDEX ix_audit_logs_org_resource`);
    await q.query(`CREATE INDEX ix_audit_logs_org_created ON audit_logs (organization_id, created_at DESC, seq DESC)`);
    await q.query(`CREATE INDEX ix_audit_logs_org_action ON audit_logs (organization_id, action, created_at DESC, seq DESC)`);
    await q.query(`CREATE INDEX ix_audit_logs_org_actor ON audit_logs (organization_id, actor_user_id, created_at DESC, seq DESC)`);
    await q.query(
      `CREATE INDEX ix_audit_logs_org_resource ON audit_logs (organization_id, resource_type, resource_id, created_at DESC, seq DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_audit_logs_org_resource`);
    await q.query(`DROP INDEX ix_audit_logs_org_actor`);
    await q.query(`DROP INDEX ix_audit_logs_org_action`);
    await q.query(`DROP INDEX ix_audit_logs_org_created`);
    await q.query(`CREATE INDEX ix_audit_logs_org_created ON audit_logs (organization_id, created_at DESC)`);
    await q.query(`CREATE INDEX ix_audit_logs_org_action ON audit_logs (organization_id, action)`);
    await q.query(`CREATE INDEX ix_audit_logs_org_resource ON audit_logs (organization_id, resource_type, resource_id)`);
  }
}

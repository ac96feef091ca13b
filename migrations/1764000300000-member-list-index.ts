import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The member list (GET /users) reads one organization's memberships of one status in join order: this
 * index serves the page in order (stopping after offset + limit) and the total without a sort.
 */
export class MemberListIndex1764000300000 implements MigrationInterface {
  name = 'MemberListIndex1764000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_memberships_org_status_created ON memberships (organization_id, status, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_memberships_org_status_created`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** How many days of audit trail each package keeps (7 years = 2,557 days); edit the values here, as the catalogue's own. */
const RETENTION_DAYS: Record<string, number> = { free: 30, basic: 90, platinum: 365, diamond: 7 * 365 + 2 };

/**
 * The `audit_retention_days` limit in the package catalogue: a daily job removes an organization's sealed audit
 * segments whose newest entry is older than its package's value (through `audit_checkpoints`). It is not sold as an
 * add-on. A package without it keeps everything.
 */
export class AuditRetentionFeature1764001000310 implements MigrationInterface {
  name = 'AuditRetentionFeature1764001000310';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `INSERT INTO features (key, name, description, kind, unit, sort_order)
       SELECT 'audit_retention_days', 'Audit retention', 'How long the audit trail is kept', 'limit', 'days', max(sort_order) + 1 FROM features`,
    );
    for (const [slug, days] of Object.entries(RETENTION_DAYS)) {
      await q.query(
        `INSERT INTO package_features (package_id, feature_id, limit_value)
         SELECT p.id, f.id, $2 FROM packages p, features f WHERE p.slug = $1 AND f.key = 'audit_retention_days'`,
        [slug, days],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM features WHERE key = 'audit_retention_days'`);
  }
}

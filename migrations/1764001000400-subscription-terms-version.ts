import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The subscription columns a quote is priced from (SubscriptionTerms in libs/billing/src/plans/quote-token.ts). */
const TERMS = ['organization_id', 'package_id', 'status', 'current_period_start', 'current_period_end', 'amount_minor', 'currency'];

const changed = `(${TERMS.map((c) => `OLD.${c}`).join(', ')}) IS DISTINCT FROM (${TERMS.map((c) => `NEW.${c}`).join(', ')})`;

/**
 * The organization's version that the credential check reads on every request (organization_directory_versions)
 * moves also when its subscription terms change, in the changing transaction, whatever the code path (a payment,
 * a renewal, a lapse to Free, a hand-written UPDATE). Billing keeps each organization's terms per instance and
 * prices a quote from them only while the version this request's credential check read is the one they were read
 * at, so a quote needs no read of its own and still reflects a change at once on every instance.
 */
export class SubscriptionTermsVersion1764001000400 implements MigrationInterface {
  name = 'SubscriptionTermsVersion1764001000400';

  async up(q: QueryRunner): Promise<void> {
    // atrium_memberships_directory() (migration 1764000300001) bumps the organization of the old and of the new row
    // whatever the table; a subscription row has its organization_id too.
    await q.query(`
      CREATE TRIGGER trg_subscriptions_terms_version AFTER INSERT OR DELETE ON organization_subscriptions
      FOR EACH ROW EXECUTE FUNCTION atrium_memberships_directory()`);
    await q.query(`
      CREATE TRIGGER trg_subscriptions_terms_version_update AFTER UPDATE ON organization_subscriptions
      FOR EACH ROW WHEN (${changed}) EXECUTE FUNCTION atrium_memberships_directory()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS trg_subscriptions_terms_version_update ON organization_subscriptions`);
    await q.query(`DROP TRIGGER IF EXISTS trg_subscriptions_terms_version ON organization_subscriptions`);
  }
}

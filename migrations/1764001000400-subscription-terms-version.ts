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
    await q.query(`
      CREATE FUNCTION atrium_subscriptions_terms_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN PERFORM atrium_bump_directory(OLD.organization_id); END IF;
        IF TG_OP = 'INSERT' OR NEW.organization_id IS DISTINCT FROM OLD.organization_id THEN
          PERFORM atrium_bump_directory(NEW.organization_id);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER trg_subscriptions_terms_version AFTER INSERT OR DELETE ON organization_subscriptions
      FOR EACH ROW EXECUTE FUNCTION atrium_subscriptions_terms_version()`);
    await q.query(`
      CREATE TRIGGER trg_subscriptions_terms_version_update AFTER UPDATE ON organization_subscriptions
      FOR EACH ROW WHEN (${changed}) EXECUTE FUNCTION atrium_subscriptions_terms_version()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS trg_subscriptions_terms_version_update ON organization_subscriptions`);
    await q.query(`DROP TRIGGER IF EXISTS trg_subscriptions_terms_version ON organization_subscriptions`);
    await q.query(`DROP FUNCTION IF EXISTS atrium_subscriptions_terms_version()`);
  }
}

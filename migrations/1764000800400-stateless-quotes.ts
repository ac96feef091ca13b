import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Quotes become signed tokens that are not stored until used: billing_quotes keeps used quotes only. Unused rows go
 * (their uuid ids can no longer be sent as a `quote_id`), and each package payment's purchase gets the quote figures
 * its activation needs, which it used to read from the quote's row.
 */
export class StatelessQuotes1764000800400 implements MigrationInterface {
  name = 'StatelessQuotes1764000800400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM billing_quotes WHERE used_at IS NULL`);
    await q.query(`ALTER TABLE billing_quotes ALTER COLUMN used_at SET NOT NULL`);
    await q.query(`
      UPDATE payments p
         SET purchase = p.purchase || jsonb_build_object(
               'listMinor', bq.list_minor, 'creditMinor', bq.credit_minor,
               'quoteExpiresAt', to_char(bq.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        FROM billing_quotes bq
       WHERE p.purchase->>'kind' = 'package' AND bq.id::text = p.purchase->>'quoteId' AND NOT (p.purchase ? 'listMinor')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE payments SET purchase = purchase - 'listMinor' - 'creditMinor' - 'quoteExpiresAt' WHERE purchase->>'kind' = 'package'`,
    );
    await q.query(`ALTER TABLE billing_quotes ALTER COLUMN used_at DROP NOT NULL`);
  }
}

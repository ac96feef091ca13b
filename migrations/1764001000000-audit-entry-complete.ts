import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Complete audit entries and the columns the seal chain orders by:
 * - `actor_email` / `actor_api_key_name`: who acted, as they were named at the time (the account or key may change
 *   or go later; the trail keeps the name it had);
 * - `target`: a human label of what was acted on (an email, a role's name, a document's title);
 * - `txid`: the writing transaction (xid8). Entries are sealed in (txid, seq) order only once every transaction
 *   below a snapshot's xmin has ended, so an entry can never commit into a range already sealed;
 * - `seq`: insertion order inside a transaction and a stable tie-break for keyset paging.
 */
export class AuditEntryComplete1764001000000 implements MigrationInterface {
  name = 'AuditEntryComplete1764001000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_logs
        ADD COLUMN actor_email text,
        ADD COLUMN actor_api_key_name text,
        ADD COLUMN target text,
        ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_logs
        DROP COLUMN seq, DROP COLUMN txid, DROP COLUMN target, DROP COLUMN actor_api_key_name, DROP COLUMN actor_email`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail becomes append-only and tamper-evident:
 * - `audit_refuse_change()`: UPDATE, DELETE and TRUNCATE of `audit_logs`, `audit_seals` and `audit_checkpoints` raise
 *   SQLSTATE `AU001`. A DELETE is let through only when another trigger issued it (`pg_trigger_depth() > 1`): the
 *   ON DELETE CASCADE from `organizations` (an organization's deletion takes its trail) and a retention checkpoint.
 * - `audit_entry_digest(audit_logs)`: SHA-256 over every column, each written as a quoted SQL literal (`quote_literal`,
 *   self-delimiting, so no value can imitate a separator; NULL as `~`, apart from ''), jsonb as its canonical text,
 *   `created_at` as epoch microseconds. Computed in SQL so a verification of a million entries is one pass in the
 *   database; `audit_field` names its argument once so PostgreSQL inlines it (measured 10x faster than a function call
 *   per field). A column added to `audit_logs` later must be added here (with a new version prefix) to be covered.
 * - `audit_seals`: per organization, a chain of seals each covering the entries with `txid` in [from_txid, to_txid),
 *   in (txid, seq) order, with their digests (32 bytes each, in order) and an HMAC (key derived from ENCRYPTION_KEY,
 *   never stored here) over the seal's fields and the previous seal's MAC.
 * - `audit_seal_horizon`: the horizon the last complete sealer run reached, where the next run looks for new entries.
 * - `audit_checkpoints`: each retention removal; its AFTER INSERT trigger deletes the organization's sealed segment up to
 *   a seal (entries and seals), refusing one younger than the shortest retention any package has, or one whose count
 *   differs from what the seals recorded.
 */
export class AuditSeals1764001000300 implements MigrationInterface {
  name = 'AuditSeals1764001000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION USING
          ERRCODE = 'AU001',
          MESSAGE = format('%s is append-only: %s is not allowed', TG_TABLE_NAME, TG_OP),
          HINT = 'Entries leave the audit trail only with their organization or through a retention checkpoint (audit_checkpoints)';
      END $$`);
    await this.appendOnly(q, 'audit_logs');

    await q.query(`
      CREATE FUNCTION audit_field(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN coalesce(quote_literal(v), '~')`);
    await q.query(`
      CREATE FUNCTION audit_entry_digest(e audit_logs) RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN sha256(convert_to(concat_ws('|', 'v1',
        audit_field(e.id::text), audit_field(e.organization_id::text),
        audit_field(e.actor_user_id::text), audit_field(e.actor_api_key_id::text),
        audit_field(e.actor_email), audit_field(e.actor_api_key_name),
        audit_field(e.action), audit_field(e.resource_type), audit_field(e.resource_id), audit_field(e.target),
        audit_field(e.before::text), audit_field(e.after::text), audit_field(e.metadata::text),
        audit_field(e.ip), audit_field(e.user_agent), audit_field(e.request_id),
        audit_field((extract(epoch FROM e.created_at) * 1000000)::bigint::text),
        audit_field(e.txid::text), audit_field(e.seq::text)), 'UTF8'))`);
    // The sealer reads new entries by txid across organizations, then each organization's range in (txid, seq) order.
    await q.query(`CREATE INDEX ix_audit_logs_txid ON audit_logs (txid) INCLUDE (organization_id)`);
    await q.query(`CREATE INDEX ix_audit_logs_org_txid ON audit_logs (organization_id, txid, seq)`);

    await q.query(`
      CREATE TABLE audit_seals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        sequence bigint NOT NULL CHECK (sequence > 0),
        from_txid xid8 NOT NULL,
        to_txid xid8 NOT NULL CHECK (to_txid > from_txid),
        entry_count integer NOT NULL CHECK (entry_count > 0),
        first_entry_id uuid NOT NULL,
        last_entry_id uuid NOT NULL,
        first_created_at timestamptz NOT NULL,
        last_created_at timestamptz NOT NULL,
        digests bytea NOT NULL CHECK (octet_length(digests) = 32 * entry_count),
        prev_mac bytea CHECK (octet_length(prev_mac) = 32),
        mac bytea NOT NULL CHECK (octet_length(mac) = 32),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_audit_seals_sequence UNIQUE (organization_id, sequence)
      )`);
    await this.appendOnly(q, 'audit_seals');

    await q.query(`CREATE TABLE audit_seal_horizon (id boolean PRIMARY KEY DEFAULT true CHECK (id), horizon xid8 NOT NULL)`);
    await q.query(`INSERT INTO audit_seal_horizon (horizon) VALUES ('0')`);

    await q.query(`
      CREATE TABLE audit_checkpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        up_to_sequence bigint NOT NULL,
        seal_mac bytea NOT NULL CHECK (octet_length(seal_mac) = 32),
        to_txid xid8 NOT NULL,
        entries_removed bigint NOT NULL CHECK (entries_removed > 0),
        mac bytea NOT NULL CHECK (octet_length(mac) = 32),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_audit_checkpoints_sequence UNIQUE (organization_id, up_to_sequence)
      )`);
    await this.appendOnly(q, 'audit_checkpoints');
    await q.query(`
      CREATE FUNCTION audit_apply_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        s audit_seals;
        floor_days bigint;
        removed bigint;
      BEGIN
        SELECT * INTO s FROM audit_seals WHERE organization_id = NEW.organization_id AND sequence = NEW.up_to_sequence;
        IF NOT FOUND OR s.mac <> NEW.seal_mac OR s.to_txid <> NEW.to_txid THEN
          RAISE EXCEPTION USING ERRCODE = 'AU002',
            MESSAGE = format('No seal %s with that MAC and horizon in organization %s', NEW.up_to_sequence, NEW.organization_id);
        END IF;
        SELECT min(pf.limit_value) INTO floor_days
          FROM package_features pf JOIN features f ON f.id = pf.feature_id WHERE f.key = 'audit_retention_days';
        IF floor_days IS NULL OR EXISTS (
          SELECT 1 FROM audit_seals WHERE organization_id = NEW.organization_id AND sequence <= NEW.up_to_sequence
             AND last_created_at >= now() - make_interval(days => floor_days::int)) THEN
          RAISE EXCEPTION USING ERRCODE = 'AU002',
            MESSAGE = format('Seals up to %s hold entries younger than the shortest retention of any package (%s days)',
                             NEW.up_to_sequence, floor_days);
        END IF;
        DELETE FROM audit_logs WHERE organization_id = NEW.organization_id AND txid < NEW.to_txid;
        GET DIAGNOSTICS removed = ROW_COUNT;
        IF removed <> NEW.entries_removed THEN
          RAISE EXCEPTION USING ERRCODE = 'AU002',
            MESSAGE = format('The seals up to %s record %s entries but %s are there', NEW.up_to_sequence, NEW.entries_removed, removed);
        END IF;
        DELETE FROM audit_seals WHERE organization_id = NEW.organization_id AND sequence <= NEW.up_to_sequence;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_checkpoints_apply AFTER INSERT ON audit_checkpoints
        FOR EACH ROW EXECUTE FUNCTION audit_apply_checkpoint()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS audit_checkpoints`);
    await q.query(`DROP FUNCTION IF EXISTS audit_apply_checkpoint()`);
    await q.query(`DROP TABLE IF EXISTS audit_seal_horizon`);
    await q.query(`DROP TABLE IF EXISTS audit_seals`);
    await q.query(`DROP INDEX IF EXISTS ix_audit_logs_org_txid`);
    await q.query(`DROP INDEX IF EXISTS ix_audit_logs_txid`);
    await q.query(`DROP FUNCTION IF EXISTS audit_entry_digest(audit_logs)`);
    await q.query(`DROP FUNCTION IF EXISTS audit_field(text)`);
    await q.query(`DROP TRIGGER IF EXISTS audit_logs_append_only ON audit_logs`);
    await q.query(`DROP TRIGGER IF EXISTS audit_logs_no_truncate ON audit_logs`);
    await q.query(`DROP FUNCTION IF EXISTS audit_refuse_change()`);
  }

  /** UPDATE and DELETE (unless issued by a trigger) and TRUNCATE of `table` raise. */
  private async appendOnly(q: QueryRunner, table: string): Promise<void> {
    await q.query(`
      CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
    await q.query(`
      CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
  }
}

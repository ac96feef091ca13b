import type { MigrationInterface, QueryRunner } from 'typeorm';

/** One-time tokens (email verification, password reset, magic links), TOTP MFA with backup codes, API keys. */
export class AccountSecurity1764000100000 implements MigrationInterface {
  name = 'AccountSecurity1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE one_time_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        purpose text NOT NULL CHECK (purpose IN ('email_verification', 'password_reset', 'magic_link')),
        token_hash text NOT NULL,
        email text NOT NULL,
        organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_one_time_tokens_hash ON one_time_tokens (token_hash)`);
    await q.query(`CREATE INDEX ix_one_time_tokens_user_purpose ON one_time_tokens (user_id, purpose)`);

    await q.query(`
      CREATE TABLE user_mfa (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        secret_encrypted text NOT NULL,
        enabled_at timestamptz,
        last_time_step bigint,
        failed_attempts integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE mfa_backup_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        code_hash text NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_mfa_backup_codes_user_id ON mfa_backup_codes (user_id)`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        name text NOT NULL,
        prefix text NOT NULL,
        key_hash text NOT NULL,
        permissions text[] NOT NULL DEFAULT '{}',
        created_by uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        expires_at timestamptz,
        last_used_at timestamptz,
        rotated_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_api_keys_organization_id ON api_keys (organization_id)`);
    await q.query(`CREATE UNIQUE INDEX uq_api_keys_key_hash ON api_keys (key_hash)`);
    await q.query(`CREATE UNIQUE INDEX uq_api_keys_prefix ON api_keys (prefix)`);
    await q.query(`CREATE INDEX ix_api_keys_created_by ON api_keys (created_by)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['api_keys', 'mfa_backup_codes', 'user_mfa', 'one_time_tokens']) await q.query(`DROP TABLE IF EXISTS ${t}`);
  }
}

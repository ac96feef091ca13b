import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Invitations to join an organization: token stored hashed, one open invitation per address and organization. */
export class Invitations1764000200001 implements MigrationInterface {
  name = 'Invitations1764000200001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        email text NOT NULL CHECK (email = lower(email)),
        role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
        token_hash text NOT NULL,
        invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        accepted_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_invitations_organization_id ON invitations (organization_id)`);
    await q.query(`CREATE UNIQUE INDEX uq_invitations_token_hash ON invitations (token_hash)`);
    await q.query(`CREATE UNIQUE INDEX uq_invitations_open_email ON invitations (organization_id, email) WHERE accepted_at IS NULL`);
    await q.query(`CREATE INDEX ix_invitations_email ON invitations (email)`);
    await q.query(`CREATE INDEX ix_invitations_role_id ON invitations (role_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS invitations`);
  }
}

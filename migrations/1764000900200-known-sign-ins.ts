import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The devices and addresses each account has signed in from, so a sign-in from a new one can be told to its owner
 * (`session.new_sign_in`). Fingerprints only: the SHA-256 of the normalized user agent or of the client address (its
 * /64 for IPv6), never either in clear (the sessions table keeps those, for the sessions list). An account with no
 * row has never signed in since this table exists: its next sign-in records and alerts nobody.
 */
export class KnownSignIns1764000900200 implements MigrationInterface {
  name = 'KnownSignIns1764000900200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE known_sign_ins (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('device', 'ip')),
        fingerprint bytea NOT NULL CHECK (octet_length(fingerprint) = 32),
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, kind, fingerprint)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE known_sign_ins`);
  }
}

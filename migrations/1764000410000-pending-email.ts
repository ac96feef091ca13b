import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An email change waits here until the new address is verified: the link mailed to it is a one-time token
 * bound to this address (`one_time_tokens.email`), and the current `email` stays in force until it is used.
 * Not unique: a pending address reserves nothing; whoever verifies it first gets it.
 */
export class PendingEmail1764000410000 implements MigrationInterface {
  name = 'PendingEmail1764000410000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN pending_email text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN pending_email`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the access library's daily retention job: sessions and one-time tokens by when they ended (revoked or
 * used, else their expiry), and remembered sign-in devices and addresses by when they were last seen. Without them
 * each batch of the job would read the whole table.
 */
export class AccessRetention1764001700000 implements MigrationInterface {
  name = 'AccessRetention1764001700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_sessions_ended_at ON sessions (LEAST(revoked_at, expires_at))`);
    await q.query(`CREATE INDEX ix_one_time_tokens_ended_at ON one_time_tokens (LEAST(used_at, expires_at))`);
    await q.query(`CREATE INDEX ix_known_sign_ins_last_seen_at ON known_sign_ins (last_seen_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_known_sign_ins_last_seen_at`);
    await q.query(`DROP INDEX ix_one_time_tokens_ended_at`);
    await q.query(`DROP INDEX ix_sessions_ended_at`);
  }
}

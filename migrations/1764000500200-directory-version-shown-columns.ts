import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What the member list shows of a membership (member-list-query.ts): a change elsewhere leaves the version alone. */
const MEMBERSHIP_SHOWN = ['organization_id', 'user_id', 'role_id', 'status', 'created_at', 'revoked_at', 'revoke_reason'];

/** What it shows of the account (PROFILE_JSON in user-profile.ts). */
const USER_SHOWN = [
  'email',
  'pending_email',
  'first_name',
  'last_name',
  'phone',
  'avatar_url',
  'email_verified_at',
  'status',
  'created_at',
  'updated_at',
];

const changed = (columns: string[]) =>
  `(${columns.map((c) => `OLD.${c}`).join(', ')}) IS DISTINCT FROM (${columns.map((c) => `NEW.${c}`).join(', ')})`;

/**
 * The directory version moved on every update of a membership or an account, including the "last used"
 * write of every sign-in: each login emptied every instance's member-list cache and queued behind the other
 * logins of its organization for the version row. Now only a change of a column the list shows moves it.
 * `last_used_at` is left out on purpose: the list may show it up to a minute late (MemberPages' max age).
 */
export class DirectoryVersionShownColumns1764000500200 implements MigrationInterface {
  name = 'DirectoryVersionShownColumns1764000500200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER trg_memberships_directory ON memberships`);
    await q.query(`
      CREATE TRIGGER trg_memberships_directory AFTER INSERT OR DELETE ON memberships
      FOR EACH ROW EXECUTE FUNCTION atrium_memberships_directory()`);
    await q.query(`
      CREATE TRIGGER trg_memberships_directory_update AFTER UPDATE ON memberships
      FOR EACH ROW WHEN (${changed(MEMBERSHIP_SHOWN)}) EXECUTE FUNCTION atrium_memberships_directory()`);
    await q.query(`DROP TRIGGER trg_users_directory ON users`);
    await q.query(`
      CREATE TRIGGER trg_users_directory AFTER UPDATE ON users
      FOR EACH ROW WHEN (${changed(USER_SHOWN)}) EXECUTE FUNCTION atrium_users_directory()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER trg_users_directory ON users`);
    await q.query(`
      CREATE TRIGGER trg_users_directory AFTER UPDATE ON users
      FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION atrium_users_directory()`);
    await q.query(`DROP TRIGGER trg_memberships_directory_update ON memberships`);
    await q.query(`DROP TRIGGER trg_memberships_directory ON memberships`);
    await q.query(`
      CREATE TRIGGER trg_memberships_directory AFTER INSERT OR UPDATE OR DELETE ON memberships
      FOR EACH ROW EXECUTE FUNCTION atrium_memberships_directory()`);
  }
}

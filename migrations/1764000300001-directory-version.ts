import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A per-organization version of everything the member list shows (memberships, their accounts, their
 * roles' names), bumped by triggers in the same transaction as the change. The credential check reads it
 * on every request, so a member-list page cached by an instance is served only while nothing it shows
 * has changed; no application code path can forget to invalidate it.
 */
export class DirectoryVersion1764000300001 implements MigrationInterface {
  name = 'DirectoryVersion1764000300001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organization_directory_versions (
        organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
        version bigint NOT NULL
      )`);
    // Skipped while the organization itself is being deleted (its memberships go with it).
    await q.query(`
      CREATE FUNCTION atrium_bump_directory(org uuid) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO organization_directory_versions AS v (organization_id, version)
        SELECT org, 1 WHERE EXISTS (SELECT 1 FROM organizations WHERE id = org)
        ON CONFLICT (organization_id) DO UPDATE SET version = v.version + 1;
      END $$`);
    await q.query(`
      CREATE FUNCTION atrium_memberships_directory() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN PERFORM atrium_bump_directory(OLD.organization_id); END IF;
        IF TG_OP = 'INSERT' OR NEW.organization_id IS DISTINCT FROM OLD.organization_id THEN
          PERFORM atrium_bump_directory(NEW.organization_id);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER trg_memberships_directory AFTER INSERT OR UPDATE OR DELETE ON memberships
      FOR EACH ROW EXECUTE FUNCTION atrium_memberships_directory()`);
    // Every organization the account belongs to, in a fixed order so concurrent changes lock alike.
    await q.query(`
      CREATE FUNCTION atrium_users_directory() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM atrium_bump_directory(m.organization_id)
           FROM (SELECT organization_id FROM memberships WHERE user_id = NEW.id ORDER BY organization_id) m;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER trg_users_directory AFTER UPDATE ON users
      FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION atrium_users_directory()`);
    await q.query(`
      CREATE FUNCTION atrium_roles_directory() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM atrium_bump_directory(NEW.organization_id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER trg_roles_directory AFTER UPDATE ON roles
      FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.slug IS DISTINCT FROM NEW.slug)
      EXECUTE FUNCTION atrium_roles_directory()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS trg_roles_directory ON roles`);
    await q.query(`DROP TRIGGER IF EXISTS trg_users_directory ON users`);
    await q.query(`DROP TRIGGER IF EXISTS trg_memberships_directory ON memberships`);
    await q.query(`DROP FUNCTION IF EXISTS atrium_roles_directory()`);
    await q.query(`DROP FUNCTION IF EXISTS atrium_users_directory()`);
    await q.query(`DROP FUNCTION IF EXISTS atrium_memberships_directory()`);
    await q.query(`DROP FUNCTION IF EXISTS atrium_bump_directory(uuid)`);
    await q.query(`DROP TABLE IF EXISTS organization_directory_versions`);
  }
}

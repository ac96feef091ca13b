import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables with an organization_id that stay outside row-level security, and why. */
export const OUTSIDE_ROW_SECURITY: Record<string, string> = {
  // An organization_id that may be null: platform rows as well as tenant rows. The platform alone reads them, by id,
  // hash or claim, never a feature's listing.
  mail_deliveries: 'mail to an account before it has an organization, as well as to members',
  one_time_tokens: "an account's links (verification, reset, magic link), found by their hash",
  outbox_events: 'domain events of the platform and of organizations, read by the relay for every organization',
  // The sandbox payment gateway stands in for a third party: its records are the gateway's, reached by the gateway's
  // own ids (a checkout token, a charge id) as a real gateway's API would be, never by an Atrium request context.
  sandbox_charges: "the stand-in gateway's charges",
  sandbox_customers: "the stand-in gateway's customers",
};

/**
 * Row-level security as the second wall behind the tenant-scoped repository (libs/platform/src/database/tenant-scope.ts).
 *
 * - `atrium_app`: the role the application's connections act as (`SET ROLE` at connect). It owns no table and has no
 *   BYPASSRLS; it may read and write rows, never change the schema. Migrations run as the owner of DATABASE_URL,
 *   which is made a member so it can switch to the role.
 * - Every tenant table (a NOT NULL organization_id) and `organizations` itself get ENABLE and FORCE ROW LEVEL
 *   SECURITY and one policy: the row's organization is the connection's `app.organization_id`, or the connection
 *   says `app.cross_tenant = on` (the documented cross-organization paths). The settings are read once per
 *   statement (the sub-selects become init plans), so the policy costs one comparison per row and keeps index use.
 * - `atrium_enable_tenant_rls(table)` does the same for a table a later migration adds.
 * - The directory-version triggers bump every organization an account belongs to, whatever the scope of the
 *   statement that changed the account: they run with `app.cross_tenant = on` for their own duration.
 */
export class RowLevelSecurity1764001400000 implements MigrationInterface {
  name = 'RowLevelSecurity1764001400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atrium_app') THEN
          CREATE ROLE atrium_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
        END IF;
      END $$`);
    await q.query(`GRANT atrium_app TO CURRENT_USER`);
    await q.query(`GRANT USAGE ON SCHEMA public TO atrium_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO atrium_app`);
    await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO atrium_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO atrium_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO atrium_app`);

    await q.query(`
      CREATE FUNCTION atrium_current_organization() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT nullif(current_setting('app.organization_id', true), '')::uuid $$`);
    await q.query(`
      CREATE FUNCTION atrium_cross_tenant() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT coalesce(current_setting('app.cross_tenant', true), '') = 'on' $$`);
    await q.query(`
      CREATE FUNCTION atrium_enable_tenant_rls(tbl regclass, tenant_column text DEFAULT 'organization_id') RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE
        rule text := format('%I = (SELECT atrium_current_organization()) OR (SELECT atrium_cross_tenant())', tenant_column);
      BEGIN
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
        EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (%s) WITH CHECK (%s)', tbl, rule, rule);
      END $$`);
    const tables = (await q.query(
      `SELECT c.table_name AS name
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND c.column_name = 'organization_id' AND c.is_nullable = 'NO'
          AND t.table_type = 'BASE TABLE'
        ORDER BY 1`,
    )) as Array<{ name: string }>;
    for (const { name } of tables) {
      if (!(name in OUTSIDE_ROW_SECURITY)) await q.query(`SELECT atrium_enable_tenant_rls($1::regclass)`, [name]);
    }
    await q.query(`SELECT atrium_enable_tenant_rls('organizations'::regclass, 'id')`);

    for (const fn of ['atrium_bump_directory(uuid)', 'atrium_users_directory()']) {
      await q.query(`ALTER FUNCTION ${fn} SET app.cross_tenant = 'on'`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const fn of ['atrium_bump_directory(uuid)', 'atrium_users_directory()']) {
      await q.query(`ALTER FUNCTION ${fn} RESET app.cross_tenant`);
    }
    const tables = (await q.query(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relrowsecurity`,
    )) as Array<{ name: string }>;
    for (const { name } of tables) {
      await q.query(`DROP POLICY IF EXISTS tenant_isolation ON "${name}"`);
      await q.query(`ALTER TABLE "${name}" NO FORCE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE "${name}" DISABLE ROW LEVEL SECURITY`);
    }
    await q.query(`DROP FUNCTION atrium_enable_tenant_rls(regclass, text)`);
    await q.query(`DROP FUNCTION atrium_cross_tenant()`);
    await q.query(`DROP FUNCTION atrium_current_organization()`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM atrium_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM atrium_app`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM atrium_app`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM atrium_app`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM atrium_app`);
  }
}

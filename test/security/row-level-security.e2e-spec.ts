import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acrossTenants, APP_ROLE, PreparedQuery, StatementPool, TenantScopedWorkerHost, withTenant } from '@atrium/platform';
import { OUTSIDE_ROW_SECURITY } from '../../migrations/1764001400000-row-level-security.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Row-level security, the second wall: whatever the application's code forgets, its connections see and write only
 * the rows of the organization of the request, job or socket that runs the statement.
 */
let t: TestApp;
let app: DataSource;
let a: RegisteredOrg;
let b: RegisteredOrg;

beforeAll(async () => {
  t = await startTestApp();
  app = t.app.get(DataSource);
  [a, b] = await Promise.all([registerOrg(t.http), registerOrg(t.http)]);
});
afterAll(async () => {
  await t?.close();
});

/** The organizations whose roles a statement with no organization condition returns. */
const UNSCOPED = `SELECT DISTINCT organization_id FROM roles WHERE organization_id = ANY ($1::uuid[]) ORDER BY 1`;
const organizationsSeen = async (ds: DataSource = app): Promise<string[]> =>
  (await ds.query<Array<{ organization_id: string }>>(UNSCOPED, [[a.organizationId, b.organizationId]])).map((r) => r.organization_id);

describe('the schema', () => {
  it('forces a tenant policy on every table with an organization, and on organizations itself', async () => {
    const tables: Array<{ name: string; nullable: boolean; rls: boolean; forced: boolean; policies: number }> = await t.db.query(
      `SELECT c.relname AS name, bool_or(a.attnotnull) IS FALSE AS nullable, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
              (SELECT count(*)::int FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname AND p.policyname = 'tenant_isolation') AS policies
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'p')
        GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity`,
    );
    expect(tables.length).toBeGreaterThan(40);
    const outside = (name: string) => name in OUTSIDE_ROW_SECURITY;
    const unprotected = tables.filter((x) => !outside(x.name) && !(x.rls && x.forced && x.policies === 1)).map((x) => x.name);
    // A new tenant table fails here until its migration calls atrium_enable_tenant_rls.
    expect(unprotected).toEqual([]);
    // Only the documented exceptions stay outside, and every table that may hold platform rows is one of them.
    expect(tables.filter((x) => outside(x.name) && (x.rls || x.forced)).map((x) => x.name)).toEqual([]);
    expect(tables.filter((x) => x.nullable && !outside(x.name)).map((x) => x.name)).toEqual([]);
    expect(Object.keys(OUTSIDE_ROW_SECURITY).filter((name) => !tables.some((x) => x.name === name))).toEqual([]);
    const [organizations] = await t.db.query(
      `SELECT relrowsecurity AND relforcerowsecurity AS forced FROM pg_class WHERE oid = 'organizations'::regclass`,
    );
    expect(organizations.forced).toBe(true);
  });

  it('connects the application as a role that owns no table and cannot bypass row-level security', async () => {
    const [role] = await t.db.query(
      `SELECT rolsuper, rolbypassrls, (SELECT count(*)::int FROM pg_tables WHERE tableowner = $1) AS owned FROM pg_roles WHERE rolname = $1`,
      [APP_ROLE],
    );
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, owned: 0 });
    expect(await app.query(`SELECT current_user AS who`)).toEqual([{ who: APP_ROLE }]);
    await expect(app.query(`ALTER TABLE roles DISABLE ROW LEVEL SECURITY`)).rejects.toThrow(/must be owner/);
    const qr = app.createQueryRunner();
    try {
      await qr.startTransaction();
      await qr.query(`SET LOCAL row_security = off`);
      await expect(qr.query(`SELECT count(*) FROM roles`)).rejects.toThrow(/row-level security/);
      await qr.rollbackTransaction();
    } finally {
      await qr.release();
    }
  });
});

describe("the application's connections", () => {
  it('return nothing to a deliberately unscoped query outside any request or job, while the owner sees both organizations', async () => {
    expect(await organizationsSeen()).toEqual([]);
    expect(
      await app.query(`SELECT count(*)::int AS n FROM organizations WHERE id = ANY ($1::uuid[])`, [[a.organizationId, b.organizationId]]),
    ).toEqual([{ n: 0 }]);
    expect(await organizationsSeen(t.db)).toEqual([a.organizationId, b.organizationId].sort());
  });

  it("show a tenant's scope only its own rows, and refuse to write another organization's", async () => {
    expect(await withTenant(a.organizationId, () => organizationsSeen())).toEqual([a.organizationId]);
    expect(await withTenant(b.organizationId, () => organizationsSeen())).toEqual([b.organizationId]);
    const [theirs] = await t.db.query(`SELECT id FROM roles WHERE organization_id = $1 AND slug = 'member'`, [b.organizationId]);
    const renamed = await withTenant(a.organizationId, () =>
      app.query(`UPDATE roles SET description = 'taken over' WHERE id = $1 RETURNING id`, [theirs.id]),
    );
    expect(renamed).toEqual([[], 0]);
    await expect(
      withTenant(a.organizationId, () =>
        app.query(`INSERT INTO roles (organization_id, name, slug, permissions) VALUES ($1, 'Planted', 'planted', '{}')`, [
          b.organizationId,
        ]),
      ),
    ).rejects.toThrow(/row-level security/);
    const [after] = await t.db.query(`SELECT description FROM roles WHERE id = $1`, [theirs.id]);
    expect(after.description).not.toBe('taken over');
    expect(await t.db.query(`SELECT 1 FROM roles WHERE slug = 'planted' AND organization_id = $1`, [b.organizationId])).toEqual([]);
  });

  it('see every organization only on a path that says it crosses tenants', async () => {
    expect(await acrossTenants(() => organizationsSeen())).toEqual([a.organizationId, b.organizationId].sort());
  });

  it('carry the scope on one connection through a rollback that undid a change of scope', async () => {
    const qr = app.createQueryRunner();
    try {
      const seen = (): Promise<string[]> =>
        qr
          .query(UNSCOPED, [[a.organizationId, b.organizationId]])
          .then((rows: Array<{ organization_id: string }>) => rows.map((r) => r.organization_id));
      expect(await withTenant(a.organizationId, seen)).toEqual([a.organizationId]);
      await withTenant(a.organizationId, () => qr.startTransaction());
      // The change to b's scope is made inside the transaction, and the rollback undoes it in the session.
      expect(await withTenant(b.organizationId, seen)).toEqual([b.organizationId]);
      await withTenant(b.organizationId, () => qr.rollbackTransaction());
      expect(await withTenant(b.organizationId, seen)).toEqual([b.organizationId]);
      expect(await seen()).toEqual([]);
    } finally {
      await qr.release();
    }
  });

  it('scope the prepared hot statements as well', async () => {
    const statement = new PreparedQuery<{ organization_id: string }>(t.app.get(StatementPool), 'rls_spec_unscoped', UNSCOPED);
    const seen = async () => (await statement.rows([[a.organizationId, b.organizationId]])).map((r) => r.organization_id);
    const [none, onlyA, onlyB] = await Promise.all([seen(), withTenant(a.organizationId, seen), withTenant(b.organizationId, seen)]);
    expect(none).toEqual([]);
    expect(onlyA).toEqual([a.organizationId]);
    expect(onlyB).toEqual([b.organizationId]);
  });
});

describe('requests, jobs and sockets', () => {
  it("run a job in its envelope's organization, and one naming none across tenants", async () => {
    class Probe extends TenantScopedWorkerHost {
      protected run(): Promise<unknown> {
        return organizationsSeen();
      }
    }
    const probe = new Probe();
    const job = (data: unknown) => ({ data }) as Job;
    expect(await probe.process(job({ ctx: { organizationId: b.organizationId } }))).toEqual([b.organizationId]);
    expect(await probe.process(job({ organizationId: a.organizationId }))).toEqual([a.organizationId]);
    expect(await probe.process(job({ ctx: { requestId: 'sweep' } }))).toEqual([a.organizationId, b.organizationId].sort());
  });

  it("answer a member's request from their own organization's rows", async () => {
    const mine = await t.http.get('/roles', { token: a.accessToken });
    expect(mine.status).toBe(200);
    const ids = (mine.body as { data: Array<{ organization_id?: string; id: string }> }).data.map((r) => r.id);
    const owned: Array<{ organization_id: string }> = await t.db.query(
      `SELECT DISTINCT organization_id FROM roles WHERE id = ANY ($1::uuid[])`,
      [ids],
    );
    expect(owned).toEqual([{ organization_id: a.organizationId }]);
  });
});

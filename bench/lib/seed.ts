import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { AppConfig } from '@atrium/platform';
import { BUILT_IN_ROLES } from '@atrium/organizations/roles/permissions.js';
import { AccessTokenService } from '@atrium/access/tokens/access-token.service.js';
import { hashToken, newOpaqueToken } from '@atrium/access/tokens/opaque-token.js';
import { PasswordService } from '@atrium/accounts/passwords/password.service.js';

export const BENCH_PASSWORD = 'Bench-pass-2024!';

export interface SeededUser {
  id: string;
  email: string;
  sessionId: string;
  accessToken: string;
}

export interface Seed {
  runId: string;
  organizationId: string;
  admin: SeededUser;
  members: SeededUser[];
  /** One owner (every permission, billing.manage included) per organization: the bench one first, then their own. */
  owners: SeededUser[];
  /** Opens `count` sessions as a sign-in does (session row + first refresh token, stored hashed); returns the tokens. */
  mintRefreshTokens(count: number): Promise<string[]>;
  /** Removes the run's organization and users (for a shared DATABASE_URL). */
  cleanup(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One organization with `userCount` users (the first is an admin, the rest members), seeded with SQL for
 * speed: one argon2id hash of BENCH_PASSWORD computed once with the app's PasswordService, built-in roles,
 * memberships, and one open session per user with an access token signed by the app's AccessTokenService. Billing
 * scenarios get `ownerOrganizations` owners: one in that organization, the others each in an organization of their
 * own. Every organization is on the default (Free) package, as billing's provisioning step puts a new one.
 */
export async function seed(databaseUrl: string, config: AppConfig, userCount: number, ownerOrganizations = 1): Promise<Seed> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: 'atrium-bench-seed' });
  const runId = randomBytes(4).toString('hex');
  const q = async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[];
  const tokens = new AccessTokenService(config);
  const passwordHash = await new PasswordService().hash(BENCH_PASSWORD);

  const addOrganization = async (suffix: string) => {
    const [org] = await q<{ id: string }>(`INSERT INTO organizations (name, slug, email) VALUES ($1, $2, $3) RETURNING id`, [
      `Bench ${runId}${suffix}`,
      `bench-${runId}${suffix}`,
      `bench-${runId}${suffix}@bench.local`,
    ]);
    const roleIds = new Map<string, string>();
    for (const r of BUILT_IN_ROLES) {
      const [row] = await q<{ id: string }>(
        `INSERT INTO roles (organization_id, name, slug, description, permissions, built_in) VALUES ($1, $2, $3, $4, $5, true) RETURNING id`,
        [org.id, r.name, r.slug, r.description, r.permissions],
      );
      roleIds.set(r.slug, row.id);
    }
    await q(`INSERT INTO organization_subscriptions (organization_id, package_id) SELECT $1, id FROM packages WHERE is_default`, [org.id]);
    return { id: org.id, roleIds };
  };

  /** Active members of `org` with the given role slugs, one open session and access token each. */
  const addMembers = async (org: { id: string; roleIds: Map<string, string> }, emails: string[], roles: string[]) => {
    const users = await q<{ id: string; email: string }>(
      `INSERT INTO users (email, password_hash, first_name, last_name, email_verified_at)
       SELECT e, $2, 'Bench', 'User ' || n, now() FROM unnest($1::text[]) WITH ORDINALITY AS t(e, n)
       RETURNING id, email`,
      [emails, passwordHash],
    );
    const byEmail = new Map(users.map((u) => [u.email, u.id]));
    const userIds = emails.map((e) => byEmail.get(e)!);
    await q(
      `INSERT INTO memberships (organization_id, user_id, role_id, status, last_used_at)
       SELECT $1, u, r, 'active', now() FROM unnest($2::uuid[], $3::uuid[]) AS t(u, r)`,
      [org.id, userIds, roles.map((slug) => org.roleIds.get(slug)!)],
    );
    const sessions = await q<{ id: string; user_id: string }>(
      `INSERT INTO sessions (user_id, organization_id, last_used_at, expires_at)
       SELECT u, $1, now(), now() + make_interval(secs => $3) FROM unnest($2::uuid[]) AS u RETURNING id, user_id`,
      [org.id, userIds, config.auth.refreshTtlSeconds],
    );
    const sessionOf = new Map(sessions.map((s) => [s.user_id, s.id]));
    return emails.map((email, i): SeededUser => {
      const id = userIds[i];
      const sessionId = sessionOf.get(id)!;
      return { id, email, sessionId, accessToken: tokens.sign({ sub: id, sid: sessionId, org: org.id }) };
    });
  };

  const org = await addOrganization('');
  const emails = Array.from({ length: userCount }, (_, i) => `bench-${runId}-${i}@bench.local`);
  const seeded = await addMembers(
    org,
    emails,
    emails.map((_, i) => (i === 0 ? 'admin' : 'member')),
  );
  const userIds = seeded.map((u) => u.id);
  const organizationIds = [org.id];
  const ownerUsers: SeededUser[] = [];
  for (let i = 0; i < ownerOrganizations; i++) {
    const ownOrg = i === 0 ? org : await addOrganization(`-billing-${i}`);
    if (i > 0) organizationIds.push(ownOrg.id);
    ownerUsers.push(...(await addMembers(ownOrg, [`bench-${runId}-owner-${i}@bench.local`], ['owner'])));
  }

  const memberIds = userIds.slice(1);
  let minted = 0;
  return {
    runId,
    organizationId: org.id,
    admin: seeded[0],
    members: seeded.slice(1),
    owners: ownerUsers,
    async mintRefreshTokens(count: number): Promise<string[]> {
      const out: string[] = [];
      for (let done = 0; done < count;) {
        const n = Math.min(5000, count - done);
        const owners = Array.from({ length: n }, (_, i) => memberIds[(minted + done + i) % memberIds.length]);
        const opened = await q<{ id: string }>(
          `INSERT INTO sessions (user_id, organization_id, last_used_at, expires_at)
           SELECT u, $1, now(), now() + make_interval(secs => $3) FROM unnest($2::uuid[]) AS u RETURNING id`,
          [org.id, owners, config.auth.refreshTtlSeconds],
        );
        const batch = opened.map(() => newOpaqueToken());
        await q(`INSERT INTO refresh_tokens (session_id, token_hash) SELECT * FROM unnest($1::uuid[], $2::text[])`, [
          opened.map((s) => s.id),
          batch.map(hashToken),
        ]);
        out.push(...batch);
        done += n;
      }
      minted += count;
      return out;
    },
    async cleanup() {
      await q(`DELETE FROM organizations WHERE id = ANY($1::uuid[])`, [organizationIds]);
      await q(`DELETE FROM users WHERE email LIKE $1`, [`bench-${runId}-%@bench.local`]);
    },
    close: () => pool.end(),
  };
}

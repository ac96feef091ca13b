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
  /** Opens `count` sessions as a sign-in does (session row + first refresh token, stored hashed); returns the tokens. */
  mintRefreshTokens(count: number): Promise<string[]>;
  /** Removes the run's organization and users (for a shared DATABASE_URL). */
  cleanup(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One organization with `userCount` users (the first is an admin, the rest members), seeded with SQL for
 * speed: one argon2id hash of BENCH_PASSWORD computed once with the app's PasswordService, built-in roles,
 * memberships, and one open session per user with an access token signed by the app's AccessTokenService.
 */
export async function seed(databaseUrl: string, config: AppConfig, userCount: number): Promise<Seed> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: 'atrium-bench-seed' });
  const runId = randomBytes(4).toString('hex');
  const q = async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[];

  const [org] = await q<{ id: string }>(`INSERT INTO organizations (name, slug, email) VALUES ($1, $2, $3) RETURNING id`, [
    `Bench ${runId}`,
    `bench-${runId}`,
    `bench-${runId}@bench.local`,
  ]);
  const roleIds = new Map<string, string>();
  for (const r of BUILT_IN_ROLES) {
    const [row] = await q<{ id: string }>(
      `INSERT INTO roles (organization_id, name, slug, description, permissions, built_in) VALUES ($1, $2, $3, $4, $5, true) RETURNING id`,
      [org.id, r.name, r.slug, r.description, r.permissions],
    );
    roleIds.set(r.slug, row.id);
  }

  const passwordHash = await new PasswordService().hash(BENCH_PASSWORD);
  const emails = Array.from({ length: userCount }, (_, i) => `bench-${runId}-${i}@bench.local`);
  const users = await q<{ id: string; email: string }>(
    `INSERT INTO users (email, password_hash, first_name, last_name, email_verified_at)
     SELECT e, $2, 'Bench', 'User ' || n, now() FROM unnest($1::text[]) WITH ORDINALITY AS t(e, n)
     RETURNING id, email`,
    [emails, passwordHash],
  );
  const byEmail = new Map(users.map((u) => [u.email, u.id]));
  const userIds = emails.map((e) => byEmail.get(e)!);
  const roleOf = userIds.map((_, i) => roleIds.get(i === 0 ? 'admin' : 'member')!);
  await q(
    `INSERT INTO memberships (organization_id, user_id, role_id, status, last_used_at)
     SELECT $1, u, r, 'active', now() FROM unnest($2::uuid[], $3::uuid[]) AS t(u, r)`,
    [org.id, userIds, roleOf],
  );
  const sessions = await q<{ id: string; user_id: string }>(
    `INSERT INTO sessions (user_id, organization_id, last_used_at, expires_at)
     SELECT u, $1, now(), now() + make_interval(secs => $3) FROM unnest($2::uuid[]) AS u RETURNING id, user_id`,
    [org.id, userIds, config.auth.refreshTtlSeconds],
  );
  const sessionOf = new Map(sessions.map((s) => [s.user_id, s.id]));
  const tokens = new AccessTokenService(config);
  const seeded: SeededUser[] = emails.map((email, i) => {
    const id = userIds[i];
    const sessionId = sessionOf.get(id)!;
    return { id, email, sessionId, accessToken: tokens.sign({ sub: id, sid: sessionId, org: org.id }) };
  });

  const memberIds = userIds.slice(1);
  let minted = 0;
  return {
    runId,
    organizationId: org.id,
    admin: seeded[0],
    members: seeded.slice(1),
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
      await q(`DELETE FROM organizations WHERE id = $1`, [org.id]);
      await q(`DELETE FROM users WHERE email LIKE $1`, [`bench-${runId}-%@bench.local`]);
    },
    close: () => pool.end(),
  };
}

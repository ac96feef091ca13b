import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCESS_PRUNE_JOB,
  ACCESS_PRUNE_SCHEDULER,
  ACCESS_QUEUE,
  type AccessPruned,
  AccessRetention,
  AccessRetentionConfig,
} from '@atrium/access';
import { Clock } from '@atrium/platform';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { settledJob } from '../support/jobs.js';
import { outboxEvents } from '../support/outbox.js';
import { db, sessionIdOf } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The access library's daily retention: ended sessions and their refresh tokens, spent one-time tokens, unseen devices. */

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const accessQueue = () => t.app.get<Queue>(getQueueToken(ACCESS_QUEUE));

/** The daily job as its scheduler starts it, run by the app's workers; answers what it deleted. */
async function pruneJob(): Promise<AccessPruned> {
  const job = await accessQueue().add(ACCESS_PRUNE_JOB, {});
  const settled = await settledJob(accessQueue(), job.id!);
  expect(settled.failedReason).toBeUndefined();
  return settled.returnvalue as AccessPruned;
}

async function signIn(org: RegisteredOrg, userAgent = 'retention-spec') {
  const res = await t.http.post('/auth/login', { email: org.email, password: org.password }, { headers: { 'user-agent': userAgent } });
  expect(res.status).toBe(200);
  return {
    accessToken: res.body.access_token as string,
    refreshToken: res.body.refresh_token as string,
    id: sessionIdOf(res.body.access_token),
  };
}

const ago = (days: number) => `now() - make_interval(days => ${days})`;
const sessionIds = async (userId: string) =>
  (await db(t).query<Array<{ id: string }>>(`SELECT id FROM sessions WHERE user_id = $1`, [userId])).map((r) => r.id).sort();
const refreshTokens = async (sessionId: string) =>
  (await db(t).query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM refresh_tokens WHERE session_id = $1`, [sessionId]))[0].n;

describe('access retention (daily job)', () => {
  it('is scheduled once a day by every worker process', async () => {
    expect(await accessQueue().getJobScheduler(ACCESS_PRUNE_SCHEDULER)).toMatchObject({ every: 24 * 3600 * 1000, name: ACCESS_PRUNE_JOB });
  });

  it('deletes sessions that ended more than 30 days ago with their refresh tokens, and keeps open and recently ended ones', async () => {
    const org = await registerOrg(t.http);
    const open = sessionIdOf(org.accessToken);
    const revokedLongAgo = await signIn(org);
    const expiredLongAgo = await signIn(org);
    const revokedRecently = await signIn(org);
    // A refresh, so the revoked session has a burnt token and a current one.
    const refreshed = await t.http.post('/auth/refresh', { refresh_token: revokedLongAgo.refreshToken });
    expect(refreshed.status).toBe(200);
    for (const s of [revokedLongAgo, revokedRecently]) {
      expect((await t.http.post('/auth/logout', {}, { token: s.accessToken })).status).toBeLessThan(300);
    }
    await db(t).query(`UPDATE sessions SET revoked_at = ${ago(31)} WHERE id = $1`, [revokedLongAgo.id]);
    await db(t).query(`UPDATE sessions SET revoked_at = ${ago(29)} WHERE id = $1`, [revokedRecently.id]);
    await db(t).query(`UPDATE sessions SET created_at = ${ago(62)}, expires_at = ${ago(31)} WHERE id = $1`, [expiredLongAgo.id]);
    expect(await refreshTokens(revokedLongAgo.id)).toBe(2);

    const pruned = await pruneJob();
    expect(pruned.sessions).toBeGreaterThanOrEqual(2);
    expect(await sessionIds(org.userId)).toEqual([open, revokedRecently.id].sort());
    expect(await refreshTokens(revokedLongAgo.id)).toBe(0);
    // What is left still works, and a pruned session's refresh token is simply unknown.
    expect((await t.http.get('/users/me', { token: org.accessToken })).status).toBe(200);
    // Its burnt first token, replayed: once a reuse to punish, now unknown.
    const replay = await t.http.post('/auth/refresh', { refresh_token: revokedLongAgo.refreshToken });
    expect([replay.status, replay.body.code]).toEqual([401, 'invalid_refresh_token']);
  });

  it('deletes one-time tokens used or expired more than 30 days ago', async () => {
    const org = await registerOrg(t.http);
    const add = (label: string, expires: string, used: string | null) =>
      db(t).query(
        `INSERT INTO one_time_tokens (user_id, purpose, token_hash, email, expires_at, used_at)
         VALUES ($1, 'password_reset', $2, $3, ${expires}, ${used ?? 'NULL'})`,
        [org.userId, `${org.userId}:${label}`, org.email],
      );
    await add('used-long-ago', ago(40), ago(31));
    await add('expired-long-ago', ago(31), null);
    await add('used-recently', ago(20), ago(29));
    await add('pending', `now() + interval '1 hour'`, null);

    expect((await pruneJob()).one_time_tokens).toBeGreaterThanOrEqual(2);
    const left = await db(t).query<Array<{ token_hash: string }>>(
      `SELECT token_hash FROM one_time_tokens WHERE user_id = $1 AND purpose = 'password_reset' ORDER BY token_hash`,
      [org.userId],
    );
    expect(left.map((r) => r.token_hash.split(':')[1])).toEqual(['pending', 'used-recently']);
  });

  it('forgets devices not signed in from for a year, but never an account’s latest sign-in', async () => {
    const active = await registerOrg(t.http);
    const dormant = await registerOrg(t.http);
    // One instant for the whole test: a sign-in stamps its device and address with one statement's time.
    const now = Date.now();
    const remember = (userId: string, kind: string, label: string, days: number) =>
      db(t).query(
        `INSERT INTO known_sign_ins (user_id, kind, fingerprint, first_seen_at, last_seen_at)
         VALUES ($1, $2, decode(md5($3) || md5($3 || '!'), 'hex'), $4::timestamptz - interval '10 days', $4)`,
        [userId, kind, label, new Date(now - days * 86_400_000)],
      );
    // Registration recorded each account's device and address; these replace them.
    await db(t).query(`DELETE FROM known_sign_ins WHERE user_id = ANY($1::uuid[])`, [[active.userId, dormant.userId]]);
    await remember(active.userId, 'device', `${active.userId}-old-laptop`, 400);
    await remember(active.userId, 'ip', `${active.userId}-old-office`, 366);
    await remember(active.userId, 'device', `${active.userId}-phone`, 10);
    await remember(active.userId, 'ip', `${active.userId}-home`, 10);
    // The dormant account last signed in 500 days ago, from a laptop and an address; a tablet before that.
    await remember(dormant.userId, 'device', `${dormant.userId}-laptop`, 500);
    await remember(dormant.userId, 'ip', `${dormant.userId}-cafe`, 500);
    await remember(dormant.userId, 'device', `${dormant.userId}-tablet`, 700);

    expect((await pruneJob()).known_sign_ins).toBeGreaterThanOrEqual(3);
    const kept = async (userId: string) =>
      (
        await db(t).query<Array<{ kind: string; days: number }>>(
          `SELECT kind, round(extract(epoch FROM now() - last_seen_at) / 86400)::int AS days FROM known_sign_ins WHERE user_id = $1 ORDER BY days, kind`,
          [userId],
        )
      ).map((r) => `${r.kind} ${r.days}`);
    expect(await kept(active.userId)).toEqual(['device 10', 'ip 10']);
    expect(await kept(dormant.userId)).toEqual(['device 500', 'ip 500']);
    // The dormant account still counts as having signed in before: its next sign-in, from a new device, is announced.
    await signIn(dormant, 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0');
    expect(await outboxEvents(t, 'session.new_sign_in', 'user_id', dormant.userId)).toHaveLength(1);
  });

  it('takes its periods from SESSION_RETENTION_DAYS and KNOWN_SIGN_IN_RETENTION_DAYS', async () => {
    const org = await registerOrg(t.http);
    const ended = await signIn(org);
    await t.http.post('/auth/logout', {}, { token: ended.accessToken });
    await db(t).query(`UPDATE sessions SET revoked_at = ${ago(31)} WHERE id = $1`, [ended.id]);
    // A device last seen 100 days ago, beside registration's device and address and this sign-in's device (today).
    await db(t).query(
      `INSERT INTO known_sign_ins (user_id, kind, fingerprint, last_seen_at) VALUES ($1, 'device', decode(md5($2) || md5($2), 'hex'), ${ago(100)})`,
      [org.userId, `${org.userId}-old-device`],
    );
    const devices = async () =>
      (await db(t).query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM known_sign_ins WHERE user_id = $1`, [org.userId]))[0].n;
    const retention = (sessionDays: number, knownSignInDays: number) =>
      new AccessRetention(t.app.get(DataSource), new AccessRetentionConfig(sessionDays, knownSignInDays), t.app.get(Clock));

    await retention(60, 365).prune();
    expect(await sessionIds(org.userId)).toContain(ended.id);
    expect(await devices()).toBe(4);
    const pruned = await retention(30, 90).prune();
    expect(pruned).toMatchObject({ sessions: expect.any(Number), known_sign_ins: expect.any(Number) });
    expect(await sessionIds(org.userId)).not.toContain(ended.id);
    expect(await devices()).toBe(3);
  });
});

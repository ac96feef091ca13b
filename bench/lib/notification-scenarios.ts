import pg from 'pg';
import { compare } from './compare.js';
import type { RequestSpec } from './load.js';
import type { BenchContext, ScenarioReport } from './scenarios.js';
import { baselineSpec, comparedRows, noFailuresCheck, ratioCheck, unavailable } from './scenarios.js';
import { log } from './util.js';

const API = '/api/v1';
const PER_READER = 100_000;
const READERS = 4;

/**
 * Gives READERS members PER_READER notifications each (a third read), with their counts rows, as years of use would
 * leave them; once per run (both rows read them). Answers the readers' tokens.
 */
let seeded: Promise<string[]> | undefined;
function seedNotifications(ctx: BenchContext): Promise<string[]> {
  seeded ??= (async () => {
    const readers = ctx.seed.members.slice(0, READERS);
    const db = new pg.Client({ connectionString: ctx.config.database.url, application_name: 'atrium-bench-notifications' });
    await db.connect();
    try {
      const started = Date.now();
      await db.query(
        `INSERT INTO notifications (organization_id, user_id, type, source_id, title, body, link, data, in_app, read_at, created_at)
         SELECT $1::uuid, u, 'chat.mentioned', gen_random_uuid(), 'Ann Example mentioned you in Launch plan',
                'Could you check the numbers in the launch plan before Friday? The pricing table changed.',
                '/chats/' || $1::text, jsonb_build_object('chat_id', $1::text, 'message_id', gen_random_uuid()), true,
                CASE WHEN g % 3 = 0 THEN now() - g * interval '1 second' END, now() - g * interval '1 second'
           FROM unnest($2::uuid[]) u, generate_series(1, $3::int) g`,
        [ctx.seed.organizationId, readers.map((r) => r.id), PER_READER],
      );
      await db.query(
        `INSERT INTO notification_counts (organization_id, user_id, total, unread)
         SELECT $1, u, $3, $3 - $3 / 3 FROM unnest($2::uuid[]) u`,
        [ctx.seed.organizationId, readers.map((r) => r.id), PER_READER],
      );
      await db.query('ANALYZE notifications');
      log(`  notifications: ${READERS} members with ${PER_READER} each, seeded in ${Date.now() - started} ms`);
    } finally {
      await db.end();
    }
    return readers.map((r) => r.accessToken);
  })();
  return seeded;
}

/**
 * One row: `path` as the seeded readers against the NestJS baseline's GET /me, or with `samePage` against the
 * baselines answering the same path with the app's statement and mapping (checked to be the same body first).
 */
async function row(
  ctx: BenchContext,
  what: { id: string; title: string; path: string; check: (body: any) => boolean; samePage?: boolean },
): Promise<ScenarioReport> {
  const { id, title, path } = what;
  const budget = `req/s ≥ 0.6 × NestJS baseline${what.samePage ? ' (same page)' : ''}`;
  const tokens = await seedNotifications(ctx);
  const get = (url: string) => fetch(url, { headers: { authorization: `Bearer ${tokens[0]}` } });
  const probe = await get(`${ctx.servers.app.url}${API}${path}`);
  const body = (await probe.json()) as unknown;
  if (probe.status !== 200 || !what.check(body)) {
    return unavailable(id, title, `GET ${path} answers ${probe.status} ${JSON.stringify(body).slice(0, 200)}`, budget);
  }
  let i = 0;
  const next = () => ({ headers: { authorization: `Bearer ${tokens[i++ % tokens.length]}` } });
  const app: RequestSpec = { method: 'GET', path: API + path, next };
  let baseline = baselineSpec(ctx);
  if (what.samePage) {
    const theirs = await (await get(`${ctx.servers.nest.url}${path}`)).text();
    if (theirs !== JSON.stringify(body)) return unavailable(id, title, 'the baseline does not answer the same page as the app', budget);
    baseline = { method: 'GET', path, next };
  }
  const o = await compare(title, { app, baseline }, ctx.servers, ctx.settings);
  return {
    id,
    title,
    available: true,
    rows: comparedRows(title, o),
    checks: [ratioCheck(title, o, 0.6), noFailuresCheck(title, o)],
    raw: o,
  };
}

/** `GET /notifications/unread-count` for members with 100,000 notifications, against the NestJS baseline (GET /me). */
export function notificationsCount(ctx: BenchContext): Promise<ScenarioReport> {
  return row(ctx, {
    id: 'notifications-count',
    title: 'GET /notifications/unread-count (100,000 notifications)',
    path: '/notifications/unread-count',
    check: (b) => b?.data?.total === PER_READER,
  });
}

/**
 * `GET /notifications?page=1&limit=20` for members with 100,000 notifications, against the NestJS baseline answering
 * the same page with the app's statement and mapping (as the chat list is judged): GET /me answers ~300 bytes, this
 * page ~7 KB, so beside it the row would mostly measure the payload.
 */
export function notificationsList(ctx: BenchContext): Promise<ScenarioReport> {
  return row(ctx, {
    id: 'notifications-list',
    title: 'GET /notifications?page=1&limit=20 (100,000 notifications)',
    path: '/notifications?page=1&limit=20',
    check: (b) => b?.total === PER_READER && b?.data?.length === 20,
    samePage: true,
  });
}

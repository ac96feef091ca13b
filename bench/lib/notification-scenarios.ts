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

async function row(ctx: BenchContext, id: string, title: string, path: string, check: (body: any) => boolean): Promise<ScenarioReport> {
  const budget = 'req/s ≥ 0.6 × NestJS baseline';
  const tokens = await seedNotifications(ctx);
  const probe = await fetch(`${ctx.servers.app.url}${API}${path}`, { headers: { authorization: `Bearer ${tokens[0]}` } });
  const body = (await probe.json()) as unknown;
  if (probe.status !== 200 || !check(body))
    return unavailable(id, title, `GET ${path} answers ${probe.status} ${JSON.stringify(body).slice(0, 200)}`, budget);
  let i = 0;
  const app: RequestSpec = {
    method: 'GET',
    path: API + path,
    next: () => ({ headers: { authorization: `Bearer ${tokens[i++ % tokens.length]}` } }),
  };
  const o = await compare(title, { app, baseline: baselineSpec(ctx) }, ctx.servers, ctx.settings);
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
  return row(
    ctx,
    'notifications-count',
    'GET /notifications/unread-count (100,000 notifications)',
    '/notifications/unread-count',
    (b) => b?.data?.total === PER_READER,
  );
}

/** `GET /notifications?page=1&limit=20` for members with 100,000 notifications, against the NestJS baseline (GET /me). */
export function notificationsList(ctx: BenchContext): Promise<ScenarioReport> {
  return row(
    ctx,
    'notifications-list',
    'GET /notifications?page=1&limit=20 (100,000 notifications)',
    '/notifications?page=1&limit=20',
    (b) => b?.total === PER_READER && b?.data?.length === 20,
  );
}

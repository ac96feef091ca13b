import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { compare } from './compare.js';
import type { RequestSpec } from './load.js';
import type { BenchContext, ScenarioReport } from './scenarios.js';
import {
  baselineSpec,
  comparedRows,
  connectMany,
  connectSocket,
  latencySummary,
  noFailuresCheck,
  ratioCheck,
  unavailable,
} from './scenarios.js';
import { log, sleep } from './util.js';

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

/** When each `notification:new` naming an API key arrived, over all the sockets (one push per socket per key). */
class Arrivals {
  private readonly times = new Map<string, number[]>();
  private wake?: () => void;

  constructor(sockets: Socket[]) {
    for (const socket of sockets) {
      socket.on('notification:new', (p: { notification?: { data?: { api_key_id?: unknown } } }) => {
        const id = p.notification?.data?.api_key_id;
        if (typeof id !== 'string') return;
        this.times.set(id, [...(this.times.get(id) ?? []), performance.now()]);
        this.wake?.();
      });
    }
  }

  /** When the first push naming `id` arrived. */
  first(id: string): number {
    return this.times.get(id)?.[0] ?? NaN;
  }

  /** The arrival of the `count`-th push naming `id`; rejects after `timeoutMs`. */
  async last(id: string, count: number, timeoutMs = 30_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const times = this.times.get(id) ?? [];
      if (times.length >= count) return times[count - 1];
      if (performance.now() > deadline) throw new Error(`notification:new for ${id}: ${times.length} of ${count} after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 100);
      });
    }
  }
}

/** Waits until the organization has no undelivered outbox event and no unsent mail: the system at rest. */
async function drained(db: pg.Client, organizationId: string): Promise<void> {
  for (const deadline = Date.now() + 120_000; ;) {
    const { rows } = await db.query<{ n: number }>(
      `SELECT ((SELECT count(*) FROM outbox_events WHERE organization_id = $1 AND delivered_at IS NULL)
             + (SELECT count(*) FROM mail_deliveries WHERE organization_id = $1 AND sent_at IS NULL AND failed_at IS NULL))::int AS n`,
      [organizationId],
    );
    if (rows[0].n === 0) return;
    if (Date.now() > deadline) throw new Error(`${rows[0].n} events or mails of the organization still pending after 120 s`);
    await sleep(200);
  }
}

/**
 * One event notifying 1,000 members: an admin creates an API key (`security.api_key_created` goes to everyone whose
 * role holds `api_keys.manage`), with the organization's 1,000 members made admins for the scenario and each holding a
 * socket. Measured from sending `POST /api-keys` to the last of the 1,000 `notification:new` (the event's commit, the
 * relay, 1,000 rows, counts and mails written in one transaction, 1,000 pushes). Every round's notifications are then
 * counted in the database. Roles are put back and the keys revoked afterwards.
 */
export async function notificationsFanout(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'notifications: one event → 1,000 members (stored and pushed)';
  const budget = 'POST → last of 1,000 notification:new ≤ 2 s';
  const people = [ctx.seed.admin, ...ctx.seed.members].slice(0, 1000);
  const db = new pg.Client({ connectionString: ctx.config.database.url, application_name: 'atrium-bench-notifications' });
  await db.connect();
  const sockets: Socket[] = [];
  const before = await db.query<{ user_id: string; role_id: string }>(
    `SELECT user_id, role_id FROM memberships WHERE organization_id = $1 AND user_id = ANY ($2::uuid[])`,
    [ctx.seed.organizationId, people.map((p) => p.id)],
  );
  try {
    await db.query(
      `UPDATE memberships SET role_id = (SELECT id FROM roles WHERE organization_id = $1 AND slug = 'admin')
        WHERE organization_id = $1 AND user_id = ANY ($2::uuid[])`,
      [ctx.seed.organizationId, people.map((p) => p.id)],
    );
    sockets.push(
      ...(await connectMany(people.length, (i) => connectSocket(ctx.servers.app.url, { token: people[i].accessToken }, 'connected'))),
    );
    const arrivals = new Arrivals(sockets);
    // Each arrival is announced to the organization (presence:changed to up to 1,000 sockets): let those pushes drain,
    // so the rounds measure the notification, not the tail of a million presence writes queued before it.
    await drained(db, ctx.seed.organizationId);
    // Everyone whose role holds api_keys.manage: the 1,000 made admins, and the organization's owner.
    const {
      rows: [{ recipients }],
    } = await db.query<{ recipients: number }>(
      `SELECT count(*)::int AS recipients FROM memberships m JOIN roles r ON r.id = m.role_id
        WHERE m.organization_id = $1 AND m.status = 'active' AND 'api_keys.manage' = ANY (r.permissions)`,
      [ctx.seed.organizationId],
    );
    const latencies: number[] = [];
    const firsts: number[] = [];
    const stored: number[] = [];
    for (let round = 0; round < ctx.settings.rounds + 1; round++) {
      // One event on a system at rest: the previous round's 1,000 pushes and mails are delivered first.
      await drained(db, ctx.seed.organizationId);
      const t0 = performance.now();
      const res = await fetch(`${ctx.servers.app.url}${API}/api-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ctx.seed.admin.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `bench fan-out ${round}` }),
      });
      const body = (await res.json()) as { data?: { id?: string } };
      if (res.status !== 201 || !body.data?.id) {
        return unavailable(
          'notifications-fanout',
          title,
          `POST /api-keys answers ${res.status} ${JSON.stringify(body).slice(0, 200)}`,
          budget,
        );
      }
      const created = body.data.id;
      const last = await arrivals.last(created, people.length);
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM notifications WHERE type = 'security.api_key_created' AND data->>'api_key_id' = $1`,
        [created],
      );
      // Where the time went, from the database's clocks: the event's commit, its notifications written, the pushes sent.
      const { rows: timeline } = await db.query<{ stored_ms: number; first_push_ms: number; last_push_ms: number }>(
        `SELECT extract(epoch FROM p.processed_at - e.created_at) * 1000 AS stored_ms,
                extract(epoch FROM min(n.delivered_at) - e.created_at) * 1000 AS first_push_ms,
                extract(epoch FROM max(n.delivered_at) - e.created_at) * 1000 AS last_push_ms
           FROM outbox_events e
           JOIN processed_events p ON p.event_id = e.id AND p.subscriber = 'notifications'
           JOIN outbox_events n ON n.name = 'notification:new' AND n.organization_id = e.organization_id AND n.seq > e.seq
                                AND n.payload -> 'notification' -> 'data' ->> 'api_key_id' = $1
          WHERE e.name = 'api_key.created' AND e.payload ->> 'api_key_id' = $1
          GROUP BY e.created_at, p.processed_at`,
        [created],
      );
      const tl = timeline[0];
      if (tl) {
        log(
          `    round ${round}: commit → notifications written ${Number(tl.stored_ms).toFixed(0)} ms, → first push ${Number(tl.first_push_ms).toFixed(0)} ms, → last push ${Number(tl.last_push_ms).toFixed(0)} ms`,
        );
      }
      // The first round warms up (statements prepared, pools filled); it is checked but not timed.
      if (round > 0) {
        latencies.push(last - t0);
        firsts.push(arrivals.first(created) - t0);
      }
      stored.push(rows[0].n);
      const revoked = await fetch(`${ctx.servers.app.url}${API}/api-keys/${created}/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ctx.seed.admin.accessToken}` },
      });
      if (revoked.status >= 300) throw new Error(`POST /api-keys/${created}/revoke answered ${revoked.status}`);
    }
    const s = latencySummary(latencies);
    log(
      `  ${title}: ${recipients} recipients, ${people.length} with sockets; last receipt ${latencies.map((l) => `${l.toFixed(0)} ms`).join(', ')}; ` +
        `first receipt ${firsts.map((l) => `${l.toFixed(0)} ms`).join(', ')}; stored per round ${stored.join(', ')}`,
    );
    const worst = Math.max(...latencies);
    return {
      id: 'notifications-fanout',
      title,
      available: true,
      rows: [
        { scenario: title, target: 'app: POST /api-keys → last of 1,000 notification:new', ...s },
        { scenario: title, target: 'app: POST /api-keys → first notification:new', ...latencySummary(firsts) },
      ],
      checks: [
        { scenario: title, budget, measured: `worst ${worst.toFixed(0)} ms of ${latencies.length}`, pass: worst <= 2000 },
        {
          scenario: title,
          budget: 'every round stores one notification per recipient',
          measured: `${stored.join(', ')} of ${recipients}`,
          pass: stored.every((n) => n === recipients),
        },
      ],
    };
  } finally {
    for (const s of sockets) s.close();
    await db.query(
      `UPDATE memberships m SET role_id = b.role_id FROM unnest($2::uuid[], $3::uuid[]) AS b (user_id, role_id)
        WHERE m.organization_id = $1 AND m.user_id = b.user_id`,
      [ctx.seed.organizationId, before.rows.map((r) => r.user_id), before.rows.map((r) => r.role_id)],
    );
    await db.query(`DELETE FROM notifications WHERE organization_id = $1 AND type = 'security.api_key_created'`, [ctx.seed.organizationId]);
    await db.end();
  }
}

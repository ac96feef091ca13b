import { expect } from 'vitest';
import { Outbox } from '@atrium/platform';
import type { TestApp } from './test-app.js';

/** Rows read through the app's own connection, for "nothing changed" checks around an attack. */
export function rows(t: TestApp, sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  return t.db.query(sql, params);
}

/**
 * Reads every query's rows, runs `attack`, reads them again and expects them equal: the attack changed nothing
 * the queries see. Returns what `attack` returned.
 */
export async function expectNothingChanged<T>(t: TestApp, queries: Array<[string, unknown[]?]>, attack: () => Promise<T>): Promise<T> {
  const read = () => Promise.all(queries.map(([sql, params]) => rows(t, sql, params ?? [])));
  const before = await read();
  const result = await attack();
  const after = await read();
  queries.forEach(([sql], i) => expect(after[i], `rows changed: ${sql.replace(/\s+/g, ' ')}`).toEqual(before[i]));
  return result;
}

/** What the database holds for one organization's own rows and its audit trail and outbox (enough to see any write). */
export function tenantFootprint(organizationId: string): Array<[string, unknown[]]> {
  return [
    [`SELECT u.* FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.organization_id = $1 ORDER BY u.id`, [organizationId]],
    [`SELECT * FROM memberships WHERE organization_id = $1 ORDER BY id`, [organizationId]],
    [`SELECT * FROM organizations WHERE id = $1`, [organizationId]],
    [`SELECT count(*)::int AS n FROM audit_logs WHERE organization_id = $1`, [organizationId]],
  ];
}

/** A raw request with exactly these bytes and headers (HttpClient always sends JSON). */
export async function rawRequest(
  t: TestApp,
  method: string,
  path: string,
  body: string | Buffer | undefined,
  headers: Record<string, string>,
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${t.url}/api/v1${path}`, { method, headers, body: body as BodyInit | undefined });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
  return { status: res.status, body: json, headers: res.headers };
}

const BACKGROUND_TABLES = new Set(['mail_deliveries', 'outbox_events', 'notification_counts']);
/** Written on a schedule from rows already counted (seals and checkpoints of `audit_logs`), never by a request. */
const DERIVED_TABLES = new Set(['audit_seals', 'audit_checkpoints']);

/**
 * Every row of every table with an `organization_id` that belongs to the organization, plus its members' user rows
 * and the number of organizations: one query per table, compared as digests, so any write an attack made shows.
 */
export async function organizationFootprint(t: TestApp, organizationId: string): Promise<Array<[string, unknown[]]>> {
  await settled(t, organizationId);
  const tables = await rows(
    t,
    `SELECT table_name FROM information_schema.columns
      WHERE table_schema = 'public' AND column_name = 'organization_id' ORDER BY table_name`,
  );
  return [
    ...tables
      .filter(({ table_name }) => !DERIVED_TABLES.has(String(table_name)))
      .map(({ table_name }): [string, unknown[]] => {
        const name = String(table_name);
        // Deliveries and outbox rows queued before the attack (a registration's mails) progress by themselves:
        // for them a new row is the change that counts.
        const digest = BACKGROUND_TABLES.has(name) ? `''` : `md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''))`;
        return [
          `SELECT '${name}' AS t, count(*)::int AS n, ${digest} AS digest FROM "${name}" x WHERE organization_id = $1`,
          [organizationId],
        ];
      }),
    [`SELECT u.* FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.organization_id = $1 ORDER BY u.id`, [organizationId]],
    [`SELECT count(*)::int AS n FROM organizations`, []],
  ];
}

/**
 * Waits until the organization's outbox events are delivered, its mails sent and its received webhook events run:
 * what came before an attack is done.
 */
export function settled(t: TestApp, organizationId: string, timeoutMs = 15_000): Promise<void> {
  return nonePending(
    t,
    `SELECT (SELECT count(*) FROM outbox_events WHERE organization_id = $1 AND delivered_at IS NULL)
          + (SELECT count(*) FROM mail_deliveries WHERE organization_id = $1 AND sent_at IS NULL AND failed_at IS NULL)
          + (SELECT count(*) FROM webhook_events WHERE organization_id = $1 AND status IN ('received', 'processing')) AS pending`,
    [organizationId],
    `organization ${organizationId}`,
    timeoutMs,
  );
}

/**
 * Waits until the background work of everything this app did since `since` is done, in any organization or none (a
 * registration makes a new one): its outbox events delivered and its mails that are due sent.
 */
export function quiet(t: TestApp, since: Date, timeoutMs = 15_000): Promise<void> {
  return nonePending(
    t,
    `SELECT (SELECT count(*) FROM outbox_events WHERE scope = $1 AND delivered_at IS NULL AND created_at >= $2)
          + (SELECT count(*) FROM mail_deliveries
              WHERE sent_at IS NULL AND failed_at IS NULL AND created_at >= $2 AND (send_after IS NULL OR send_after <= now()))
            AS pending`,
    [t.app.get(Outbox).scope, since],
    'the app',
    timeoutMs,
  );
}

/** Polls `sql` (one row, `pending`) until it counts nothing; fails after `timeoutMs` naming `who`. */
async function nonePending(t: TestApp, sql: string, params: unknown[], who: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ pending }] = await rows(t, sql, params);
    if (Number(pending) === 0) return;
    if (Date.now() > deadline) throw new Error(`${who} still has ${String(pending)} pending events or mails`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { inject } from 'vitest';
import { AuditSealer, AuditWriter } from '@atrium/audit';
import { RequestContext } from '@atrium/platform';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Writes `n` entries in the organization, in `em`'s transaction or one of their own; answers their ids in order. */
export async function writeEntries(t: TestApp, organizationId: string, n: number, em?: EntityManager): Promise<string[]> {
  const write = async (m: EntityManager) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const resourceId = randomUUID();
      await t.app.get(AuditWriter).record(m, RequestContext.system('audit-seal-spec', organizationId), {
        action: 'probe.recorded',
        resourceType: 'probe',
        resourceId,
        target: null,
        after: { i },
      });
      const [{ id }] = await m.query<Array<{ id: string }>>(`SELECT id FROM audit_logs WHERE resource_id = $1`, [resourceId]);
      ids.push(id);
    }
    return ids;
  };
  return em ? write(em) : t.db.transaction(write);
}

/** Runs the sealer once now (waiting for a run another instance may have under way). */
export const sealNow = (t: TestApp) => t.app.get(AuditSealer).run();

/**
 * Runs the sealer until every entry of the organization committed so far is sealed: a transaction still open elsewhere
 * in the database (another spec file's) holds the horizon back until it ends.
 */
export async function sealAll(t: TestApp, organizationId: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await sealNow(t);
    const [{ n }] = await t.db.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM audit_logs a WHERE a.organization_id = $1 AND a.txid >= COALESCE(
         (SELECT to_txid FROM audit_seals WHERE organization_id = $1 ORDER BY sequence DESC LIMIT 1), '0'::xid8)`,
      [organizationId],
    );
    if (n === 0) return;
    if (Date.now() > deadline) throw new Error(`${n} entries of ${organizationId} still unsealed after ${timeoutMs} ms`);
  }
}

/**
 * A superuser connection with triggers off (`session_replication_role = replica`): what someone with full database
 * access, but not the application's key, can do to the trail.
 */
export async function asIntruder<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    await client.query(`SET session_replication_role = replica`);
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The organization's seals, oldest first. */
export function sealsOf(t: TestApp, organizationId: string) {
  return t.db.query<Array<{ sequence: string; entry_count: number; from_txid: string; to_txid: string; last_entry_id: string }>>(
    `SELECT sequence, entry_count, from_txid::text, to_txid::text, last_entry_id FROM audit_seals WHERE organization_id = $1 ORDER BY sequence`,
    [organizationId],
  );
}

/** `GET /audit-logs/verify` as the given token; answers the body's `data`. */
export async function verify(t: TestApp, token: string, query = ''): Promise<any> {
  const res = await t.http.get(`/audit-logs/verify${query}`, { token });
  if (res.status !== 200) throw new Error(`verify answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/** The app with the seal schedule off: each spec seals when it means to. */
export const startSealTestApp = () => startTestApp({ AUDIT_SEAL_INTERVAL_SECONDS: '0' });

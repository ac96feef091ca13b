import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { AuditRetention, AuditVerifier } from '@atrium/audit';
import { RequestContext, withTenant } from '@atrium/platform';
import type { TestApp } from '../support/test-app.js';
import { sealAll, sealsOf, startSealTestApp } from './seal-support.js';

let t: TestApp;
let db: DataSource;
beforeAll(async () => {
  t = await startSealTestApp();
  db = t.db;
});
afterAll(async () => {
  await t?.close();
});

/** An organization on `slug` (no subscription: the default, Free) with no entries yet. */
async function organizationOn(slug: string | null): Promise<string> {
  const [{ id }] = await db.query<Array<{ id: string }>>(`INSERT INTO organizations (name) VALUES ('Long-lived') RETURNING id`);
  if (slug) {
    await db.query(`INSERT INTO organization_subscriptions (organization_id, package_id) SELECT $1, id FROM packages WHERE slug = $2`, [
      id,
      slug,
    ]);
  }
  return id;
}

/** `n` entries written `daysAgo` days ago in one transaction (as a years-old trail holds them), then sealed. */
async function entriesAged(organizationId: string, daysAgo: number, n: number): Promise<string[]> {
  const rows = await db.query<Array<{ id: string }>>(
    `INSERT INTO audit_logs (organization_id, action, resource_type, created_at)
     SELECT $1, 'probe.recorded', 'probe', now() - make_interval(days => $2) FROM generate_series(1, $3) RETURNING id`,
    [organizationId, daysAgo, n],
  );
  await sealAll(t, organizationId);
  return rows.map((r) => r.id);
}

/** A trail whose entries were written 400, 100 and 10 days ago and today, each batch in seals of its own. */
async function agedTrail(organizationId: string) {
  return {
    at400: await entriesAged(organizationId, 400, 3),
    at100: await entriesAged(organizationId, 100, 4),
    at10: await entriesAged(organizationId, 10, 2),
    today: await entriesAged(organizationId, 0, 1),
  };
}

const idsOf = async (organizationId: string) =>
  (await db.query<Array<{ id: string }>>(`SELECT id FROM audit_logs WHERE organization_id = $1 ORDER BY txid, seq`, [organizationId])).map(
    (r) => r.id,
  );
const checkpointsOf = (organizationId: string) =>
  db.query<Array<{ up_to_sequence: string; entries_removed: string }>>(
    `SELECT up_to_sequence, entries_removed FROM audit_checkpoints WHERE organization_id = $1 ORDER BY up_to_sequence`,
    [organizationId],
  );
const verify = (organizationId: string) =>
  withTenant(organizationId, () => t.app.get(AuditVerifier).verify(RequestContext.system('audit-retention-spec', organizationId), {}));
const prune = () => t.app.get(AuditRetention).prune();

describe('audit retention per package', () => {
  it('on Free (30 days) removes the sealed segments past 30 days through a checkpoint; verify stays ok for the rest', async () => {
    const org = await organizationOn(null);
    const trail = await agedTrail(org);
    await prune();
    expect(await idsOf(org)).toEqual([...trail.at10, ...trail.today]);
    // One checkpoint, or more if a scheduled run (every instance runs one at boot) took the oldest seals first.
    const checkpoints = await checkpointsOf(org);
    expect(checkpoints.reduce((n, c) => n + Number(c.entries_removed), 0)).toBe(7);
    const remaining = await sealsOf(t, org);
    expect(remaining[0]).toMatchObject({ sequence: String(BigInt(checkpoints.at(-1)!.up_to_sequence) + 1n) });
    expect(remaining.reduce((n, s) => n + s.entry_count, 0)).toBe(3);
    expect(await verify(org)).toMatchObject({ status: 'ok', entries_checked: 3, unsealed_entries: 0 });

    // Again: nothing more is past 30 days, nothing more goes. New entries extend the chain from where it stood.
    await prune();
    expect(await checkpointsOf(org)).toEqual(checkpoints);
    await entriesAged(org, 0, 2);
    expect(await verify(org)).toMatchObject({
      status: 'ok',
      entries_checked: 5,
      head: { sequence: Number(remaining.at(-1)!.sequence) + 1 },
    });
  });

  it('keeps a year on Platinum and everything here on Diamond', async () => {
    const platinum = await organizationOn('platinum');
    const diamond = await organizationOn('diamond');
    const p = await agedTrail(platinum);
    const d = await agedTrail(diamond);
    await prune();
    expect(await idsOf(platinum)).toEqual([...p.at100, ...p.at10, ...p.today]);
    expect(await checkpointsOf(platinum)).toMatchObject([{ entries_removed: '3' }]);
    expect(await idsOf(diamond)).toEqual([...d.at400, ...d.at100, ...d.at10, ...d.today]);
    expect(await checkpointsOf(diamond)).toEqual([]);
    expect(await verify(platinum)).toMatchObject({ status: 'ok', entries_checked: 7 });
    expect(await verify(diamond)).toMatchObject({ status: 'ok', entries_checked: 10 });
  });

  it('refuses a checkpoint over entries younger than the shortest retention, or one whose count is not the seals’, removing nothing', async () => {
    const org = await organizationOn('diamond');
    const trail = await agedTrail(org);
    const seals = await sealsOf(t, org);
    const insert = (sequence: string, removed: number) =>
      db.query(
        `INSERT INTO audit_checkpoints (organization_id, up_to_sequence, seal_mac, to_txid, entries_removed, mac)
         SELECT organization_id, sequence, mac, to_txid, $3, mac FROM audit_seals WHERE organization_id = $1 AND sequence = $2`,
        [org, sequence, removed],
      );
    const young = seals.find((s) => trail.at10.includes(s.last_entry_id))!;
    await expect(insert(young.sequence, 9)).rejects.toMatchObject({
      code: 'AU002',
      message: expect.stringMatching(/younger than the shortest retention/),
    });
    const old = seals.find((s) => trail.at400.includes(s.last_entry_id))!;
    await expect(insert(old.sequence, 2)).rejects.toMatchObject({
      code: 'AU002',
      message: expect.stringMatching(/record 2 entries but 3/),
    });
    expect(await idsOf(org)).toHaveLength(10);
    expect(await checkpointsOf(org)).toEqual([]);
  });

  it('catches a checkpoint made without the key: the chain no longer links to what it claims removed', async () => {
    const org = await organizationOn('diamond');
    const trail = await agedTrail(org);
    const old = (await sealsOf(t, org)).find((s) => trail.at400.includes(s.last_entry_id))!;
    // Old enough for the trigger, the right count: only the checkpoint's MAC is not one the key made.
    await db.query(
      `INSERT INTO audit_checkpoints (organization_id, up_to_sequence, seal_mac, to_txid, entries_removed, mac)
       SELECT organization_id, sequence, mac, to_txid, entry_count, mac FROM audit_seals WHERE organization_id = $1 AND sequence = $2`,
      [org, old.sequence],
    );
    expect(await idsOf(org)).toHaveLength(7);
    expect(await verify(org)).toEqual({
      status: 'tampered',
      first_mismatch: { kind: 'chain_broken', seal_sequence: Number(old.sequence) + 1, entry_id: null },
    });
  });

  it('lets an organization with checkpoints be deleted, its whole trail with it', async () => {
    const org = await organizationOn(null);
    await agedTrail(org);
    await prune();
    expect((await checkpointsOf(org)).length).toBeGreaterThan(0);
    await db.query(`DELETE FROM organizations WHERE id = $1`, [org]);
    expect(await idsOf(org)).toEqual([]);
    expect(await sealsOf(t, org)).toEqual([]);
    expect(await checkpointsOf(org)).toEqual([]);
  });
});

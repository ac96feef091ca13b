import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { AUDIT_QUEUE, SEAL_JOB } from '@atrium/audit/integrity/audit-integrity.jobs.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { settledJob } from '../support/jobs.js';
import { addMember } from '../support/security.js';
import type { TestApp } from '../support/test-app.js';
import { asIntruder, sealAll, sealNow, sealsOf, verify, writeEntries, startSealTestApp } from './seal-support.js';

let t: TestApp;
let db: DataSource;
beforeAll(async () => {
  t = await startSealTestApp();
  db = t.db;
});
afterAll(async () => {
  await t?.close();
});

const count = async (sql: string, params: unknown[]) => Number((await db.query<Array<{ n: string }>>(sql, params))[0].n);

/** A fresh organization with `n` entries of its own beyond registration's, all sealed. */
async function sealedOrg(n: number): Promise<RegisteredOrg & { ids: string[] }> {
  const org = await registerOrg(t.http);
  const ids = await writeEntries(t, org.organizationId, n);
  await sealAll(t, org.organizationId);
  return { ...org, ids };
}

describe('the audit trail is append-only for the application', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of entries and seals through the app’s own connection, changing nothing', async () => {
    const org = await sealedOrg(3);
    const before = await db.query(`SELECT id, action FROM audit_logs WHERE organization_id = $1 ORDER BY seq`, [org.organizationId]);
    const seals = await sealsOf(t, org.organizationId);
    expect(seals.length).toBeGreaterThan(0);
    for (const sql of [
      `UPDATE audit_logs SET action = 'forged' WHERE organization_id = '${org.organizationId}'`,
      `DELETE FROM audit_logs WHERE organization_id = '${org.organizationId}'`,
      `TRUNCATE audit_logs CASCADE`,
      `UPDATE audit_seals SET entry_count = entry_count + 1 WHERE organization_id = '${org.organizationId}'`,
      `DELETE FROM audit_seals WHERE organization_id = '${org.organizationId}'`,
      `TRUNCATE audit_seals`,
      `TRUNCATE audit_checkpoints`,
    ]) {
      await expect(db.query(sql), sql).rejects.toMatchObject({ code: 'AU001', message: expect.stringMatching(/is append-only/) });
    }
    expect(await db.query(`SELECT id, action FROM audit_logs WHERE organization_id = $1 ORDER BY seq`, [org.organizationId])).toEqual(
      before,
    );
    expect(await sealsOf(t, org.organizationId)).toEqual(seals);
  });

  it('goes with its organization: deleting the organization deletes its entries and seals', async () => {
    const org = await sealedOrg(2);
    const other = await sealedOrg(2);
    await db.query(`DELETE FROM organizations WHERE id = $1`, [org.organizationId]);
    expect(await count(`SELECT count(*) AS n FROM audit_logs WHERE organization_id = $1`, [org.organizationId])).toBe(0);
    expect(await sealsOf(t, org.organizationId)).toEqual([]);
    expect(await verify(t, other.accessToken)).toMatchObject({ status: 'ok' });
  });
});

describe('sealing', () => {
  it('seals every entry through the queued job, and verify answers ok with the chain head', async () => {
    const org = await registerOrg(t.http);
    await writeEntries(t, org.organizationId, 5);
    const unsealed = await verify(t, org.accessToken);
    const total = await count(`SELECT count(*) AS n FROM audit_logs WHERE organization_id = $1`, [org.organizationId]);
    expect(unsealed.unsealed_entries).toBe(total - unsealed.entries_checked);
    expect(unsealed.unsealed_entries).toBeGreaterThanOrEqual(5);

    // Through the queue, as the schedule runs it (again if a transaction open elsewhere held the horizon back).
    const queue = t.app.get<Queue>(getQueueToken(AUDIT_QUEUE));
    for (let sealed = 0, attempt = 0; sealed < total; attempt++) {
      expect(attempt, 'seal jobs run').toBeLessThan(20);
      const done = await settledJob(queue, (await queue.add(SEAL_JOB, {})).id!);
      expect(done.failedReason).toBeUndefined();
      expect(done.returnvalue).toMatchObject({ failed: [] });
      sealed = (await sealsOf(t, org.organizationId)).reduce((n, s) => n + s.entry_count, 0);
    }

    const seals = await sealsOf(t, org.organizationId);
    expect(seals.reduce((n, s) => n + s.entry_count, 0)).toBe(total);
    const head = seals.at(-1)!;
    const [{ mac }] = await db.query<Array<{ mac: Buffer }>>(`SELECT mac FROM audit_seals WHERE organization_id = $1 AND sequence = $2`, [
      org.organizationId,
      head.sequence,
    ]);
    expect(await verify(t, org.accessToken)).toEqual({
      status: 'ok',
      seals_checked: seals.length,
      entries_checked: total,
      unsealed_entries: 0,
      head: { sequence: Number(head.sequence), mac: mac.toString('hex') },
    });
  });

  it('gives an organization a seal only when it has new entries, linking each to the one before', async () => {
    const org = await sealedOrg(2);
    const first = await sealsOf(t, org.organizationId);
    await sealNow(t);
    expect(await sealsOf(t, org.organizationId)).toEqual(first);
    await writeEntries(t, org.organizationId, 3);
    await sealAll(t, org.organizationId);
    const after = await sealsOf(t, org.organizationId);
    expect(after).toHaveLength(first.length + 1);
    expect(after.at(-1)).toMatchObject({ sequence: String(first.length + 1), entry_count: 3, from_txid: first.at(-1)!.to_txid });
    expect(await verify(t, org.accessToken)).toMatchObject({ status: 'ok', seals_checked: after.length, unsealed_entries: 0 });
  });

  it('still seals new entries when the stored horizon was pushed ahead by hand (it would hide them from every run)', async () => {
    const org = await registerOrg(t.http);
    await asIntruder((c) => c.query(`UPDATE audit_seal_horizon SET horizon = '999999999999'`));
    await writeEntries(t, org.organizationId, 2);
    await sealAll(t, org.organizationId);
    expect(await verify(t, org.accessToken)).toMatchObject({ status: 'ok', unsealed_entries: 0 });
    const [{ horizon }] = await db.query<Array<{ horizon: string }>>(`SELECT horizon::text FROM audit_seal_horizon`);
    expect(BigInt(horizon)).toBeLessThan(999999999999n);
  });

  it('never seals an entry whose transaction is still open, nor any committed after it began, and seals each exactly once', async () => {
    const org = await registerOrg(t.http);
    const runner = db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    let committed = false;
    try {
      // An open writer with an early txid, and a later one that commits first: both stay out of the seal.
      const early = await writeEntries(t, org.organizationId, 2, runner.manager);
      const late = await writeEntries(t, org.organizationId, 2);
      const writers = Array.from({ length: 8 }, () => writeEntries(t, org.organizationId, 5));
      const sealing = Array.from({ length: 4 }, () => sealNow(t));
      await Promise.all([...writers, ...sealing]);
      const covered = await db.query<Array<{ id: string }>>(
        `SELECT a.id FROM audit_logs a JOIN audit_seals s ON s.organization_id = a.organization_id AND a.txid >= s.from_txid AND a.txid < s.to_txid
          WHERE a.id = ANY($1::uuid[])`,
        [[...early, ...late]],
      );
      expect(covered).toEqual([]);
      expect(await verify(t, org.accessToken)).toMatchObject({ status: 'ok' });

      await runner.commitTransaction();
      committed = true;
      await Promise.all([writeEntries(t, org.organizationId, 5), sealNow(t), writeEntries(t, org.organizationId, 5), sealNow(t)]);
      await sealAll(t, org.organizationId);
    } finally {
      if (!committed) await runner.rollbackTransaction();
      await runner.release();
    }
    // Each entry's digest once, in (txid, seq) order, across the chain: the seals' digests concatenated are exactly the entries'.
    const [{ same, entries, sealed }] = await db.query<Array<{ same: boolean; entries: number; sealed: number }>>(
      `SELECT (SELECT string_agg(digests, ''::bytea ORDER BY sequence) FROM audit_seals WHERE organization_id = $1)
                = (SELECT string_agg(audit_entry_digest(a), ''::bytea ORDER BY txid, seq) FROM audit_logs a WHERE organization_id = $1) AS same,
              (SELECT count(*)::int FROM audit_logs WHERE organization_id = $1) AS entries,
              (SELECT sum(entry_count)::int FROM audit_seals WHERE organization_id = $1) AS sealed`,
      [org.organizationId],
    );
    expect({ same, sealed }).toEqual({ same: true, sealed: entries });
    expect(await verify(t, org.accessToken)).toMatchObject({ status: 'ok', entries_checked: entries, unsealed_entries: 0 });
  });
});

describe('verify', () => {
  it('points at exactly the entry a superuser changed, in its seal, and only in that organization', async () => {
    const org = await sealedOrg(6);
    const bystander = await sealedOrg(1);
    const target = org.ids[3];
    const [{ sequence }] = await db.query<Array<{ sequence: string }>>(
      `SELECT s.sequence FROM audit_seals s JOIN audit_logs a ON a.organization_id = s.organization_id AND a.txid >= s.from_txid AND a.txid < s.to_txid
        WHERE a.id = $1`,
      [target],
    );
    await asIntruder((c) => c.query(`UPDATE audit_logs SET after = '{"i": 99}' WHERE id = $1`, [target]));
    expect(await verify(t, org.accessToken)).toEqual({
      status: 'tampered',
      first_mismatch: { kind: 'entry_changed', seal_sequence: Number(sequence), entry_id: target },
    });
    expect(await verify(t, bystander.accessToken)).toMatchObject({ status: 'ok' });
  });

  it('detects the newest sealed entries deleted', async () => {
    const org = await sealedOrg(4);
    const head = (await sealsOf(t, org.organizationId)).at(-1)!;
    await asIntruder((c) => c.query(`DELETE FROM audit_logs WHERE id = ANY($1::uuid[])`, [org.ids.slice(-2)]));
    expect(await verify(t, org.accessToken)).toEqual({
      status: 'tampered',
      first_mismatch: { kind: 'entry_missing', seal_sequence: Number(head.sequence), entry_id: null },
    });
  });

  it('detects an entry deleted from the middle of a seal', async () => {
    const org = await sealedOrg(5);
    await asIntruder((c) => c.query(`DELETE FROM audit_logs WHERE id = $1`, [org.ids[2]]));
    expect(await verify(t, org.accessToken)).toMatchObject({ status: 'tampered', first_mismatch: { kind: 'entry_missing' } });
  });

  it('detects a forged entry inserted into a sealed range, naming it', async () => {
    const org = await sealedOrg(3);
    const [{ txid }] = await db.query<Array<{ txid: string }>>(`SELECT txid::text FROM audit_logs WHERE id = $1`, [org.ids[1]]);
    // INSERT stays open to the application: the forger only needs to place the entry among sealed ones.
    const [{ id }] = await db.query<Array<{ id: string }>>(
      `INSERT INTO audit_logs (organization_id, action, resource_type, txid) VALUES ($1, 'user.deleted', 'user', $2::xid8) RETURNING id`,
      [org.organizationId, txid],
    );
    const seal = (await sealsOf(t, org.organizationId)).find(
      (s) => BigInt(s.from_txid) <= BigInt(txid) && BigInt(txid) < BigInt(s.to_txid),
    )!;
    expect(await verify(t, org.accessToken)).toEqual({
      status: 'tampered',
      first_mismatch: { kind: 'entry_added', seal_sequence: Number(seal.sequence), entry_id: id },
    });
  });

  it('detects a changed seal, and a seal removed from the middle of the chain', async () => {
    const org = await registerOrg(t.http);
    for (let i = 0; i < 3; i++) {
      await writeEntries(t, org.organizationId, 2);
      await sealAll(t, org.organizationId);
    }
    const seals = await sealsOf(t, org.organizationId);
    expect(seals.length).toBeGreaterThanOrEqual(3);
    const middle = seals[seals.length - 2];
    // A later last_created_at would keep its entries from retention longer; the MAC covers it.
    await asIntruder((c) =>
      c.query(`UPDATE audit_seals SET last_created_at = last_created_at + interval '1 year' WHERE organization_id = $1 AND sequence = $2`, [
        org.organizationId,
        middle.sequence,
      ]),
    );
    expect(await verify(t, org.accessToken)).toEqual({
      status: 'tampered',
      first_mismatch: { kind: 'seal_changed', seal_sequence: Number(middle.sequence), entry_id: null },
    });
    await asIntruder((c) =>
      c.query(`DELETE FROM audit_seals WHERE organization_id = $1 AND sequence = $2`, [org.organizationId, middle.sequence]),
    );
    expect(await verify(t, org.accessToken)).toEqual({
      status: 'tampered',
      first_mismatch: { kind: 'chain_broken', seal_sequence: Number(middle.sequence) + 1, entry_id: null },
    });
  });

  it('checks only the seals with entries in [from, to], and still answers ok for a range that starts mid-chain', async () => {
    const org = await registerOrg(t.http);
    for (let i = 0; i < 3; i++) {
      await writeEntries(t, org.organizationId, 2);
      await sealAll(t, org.organizationId);
    }
    const seals = await db.query<Array<{ sequence: string; first_created_at: Date; last_created_at: Date }>>(
      `SELECT sequence, first_created_at, last_created_at FROM audit_seals WHERE organization_id = $1 ORDER BY sequence`,
      [org.organizationId],
    );
    const last = seals.at(-1)!;
    const from = new Date(last.first_created_at.getTime()).toISOString();
    const answer = await verify(t, org.accessToken, `?from=${encodeURIComponent(from)}`);
    expect(answer).toMatchObject({ status: 'ok', head: { sequence: Number(last.sequence) } });
    expect(answer.seals_checked).toBeLessThan(seals.length);
    expect(await verify(t, org.accessToken, `?to=${encodeURIComponent('2000-01-01T00:00:00Z')}`)).toMatchObject({
      status: 'ok',
      seals_checked: 0,
      entries_checked: 0,
      head: null,
    });
  });

  it('answers 400 naming each bad bound, 403 without audit.view', async () => {
    const org = await sealedOrg(1);
    const bad = await t.http.get('/audit-logs/verify?from=yesterday&to=2026-02-30T00:00:00Z', { token: org.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['from', 'to']);
    const reversed = await t.http.get('/audit-logs/verify?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', { token: org.accessToken });
    expect(reversed.status).toBe(400);
    expect(reversed.body.details).toEqual([{ field: 'to', problems: ['to must not be before from'] }]);
    const member = await addMember(t, org.organizationId, 'member');
    expect((await t.http.get('/audit-logs/verify', { token: member.accessToken })).status).toBe(403);
    const manager = await addMember(t, org.organizationId, 'manager');
    expect(await verify(t, manager.accessToken)).toMatchObject({ status: 'ok' });
  });
});

import { AcrossTenants } from '@atrium/platform';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { runAlone } from './run-alone.js';
import { digestsHash, SealMac } from './seal-mac.js';

/** Entries per seal at most (a transaction with more still goes whole into one): 32 bytes of digest each. */
export const MAX_ENTRIES_PER_SEAL = 10_000;

/** Where an organization's chain ends: its newest seal, or the checkpoint that removed it. */
interface ChainTail {
  sequence: string;
  to_txid: string;
  mac: Buffer;
}

interface SegmentRow {
  n: number;
  first_id: string;
  last_id: string;
  first_at: string;
  last_at: string;
  first_us: string;
  last_us: string;
  digests: Buffer;
}

/** What one run did. */
export interface SealRun {
  /** Every entry with a txid below this was sealed (unless `failed` names its organization). */
  horizon: string;
  seals: number;
  entries: number;
  /** Organizations whose sealing failed this run (logged; retried by the next run). */
  failed: string[];
}

/**
 * Seals new audit entries into each organization's chain. The horizon H is the xmin of the sealer's snapshot (among
 * the transactions that can write to this database): every one below it has ended, so no entry can still commit with a
 * txid below H, and writers never wait for the sealer. An organization's next seal covers its entries with txid in [the previous seal's to_txid, H), in (txid, seq)
 * order, cut into seals of at most MAX_ENTRIES_PER_SEAL at transaction boundaries.
 */
@Injectable()
export class AuditSealer {
  private readonly logger = new Logger('AuditSealer');

  constructor(
    private readonly dataSource: DataSource,
    private readonly mac: SealMac,
  ) {}

  /**
   * One run over every organization with new entries; a run under way in another process is waited for first (it took
   * what it saw; this one takes what committed since), so everything committed before the call is sealed when it returns.
   */
  @AcrossTenants()
  async run(): Promise<SealRun> {
    // Everything on the connection holding the lock: a run never waits for a second connection from the pool.
    return runAlone(this.dataSource, 'atrium:audit-sealer', (runner) => this.sealAll(runner));
  }

  private async sealAll(runner: QueryRunner): Promise<SealRun> {
    const horizon = await this.horizon(runner);
    const [{ stored }] = (await runner.query(`SELECT horizon::text AS stored FROM audit_seal_horizon`)) as Array<{ stored: string }>;
    // Horizons only grow: one ahead of now was written by hand, and would hide new entries from every run. Look from the start.
    const previous = BigInt(stored) > BigInt(horizon) ? '0' : stored;
    if (previous !== stored)
      this.logger.warn(`The stored seal horizon ${stored} is ahead of the current one ${horizon}; looking from the start`);
    const organizations = (await runner.query(
      `SELECT DISTINCT organization_id FROM audit_logs WHERE txid >= $1::xid8 AND txid < $2::xid8`,
      [previous, horizon],
    )) as Array<{ organization_id: string }>;
    const run: SealRun = { horizon, seals: 0, entries: 0, failed: [] };
    for (const { organization_id: organizationId } of organizations) {
      try {
        for (;;) {
          await runner.startTransaction();
          let sealed: { entries: number } | null;
          try {
            sealed = await this.sealNext(runner.manager, organizationId, horizon);
            await runner.commitTransaction();
          } catch (err) {
            await runner.rollbackTransaction();
            throw err;
          }
          if (!sealed) break;
          run.seals++;
          run.entries += sealed.entries;
        }
      } catch (err) {
        // An organization deleted meanwhile takes its entries along (23503 on the seal's foreign key): nothing to seal.
        if ((err as { code?: string }).code === '23503') continue;
        this.logger.error(`Sealing the audit trail of organization ${organizationId} failed: ${(err as Error).message}`);
        run.failed.push(organizationId);
      }
    }
    // The next run looks for new entries from here; after a failure it looks again from the old horizon.
    if (!run.failed.length) await runner.query(`UPDATE audit_seal_horizon SET horizon = $1::xid8`, [horizon]);
    return run;
  }

  /**
   * The horizon: the oldest transaction still running that could write to this database, or the next xid when none.
   * `pg_snapshot_xmin` alone would be held back by a long transaction in any other database of the cluster (xids are
   * cluster-wide). A transaction is skipped only when its xid lock shows it belongs to another database; one not
   * (yet) in the lock table counts. The snapshot is taken first, in its own statement: any xid assigned after it is
   * at least its xmax.
   */
  private async horizon(runner: QueryRunner): Promise<string> {
    const [{ snapshot }] = (await runner.query(`SELECT pg_current_snapshot()::text AS snapshot`)) as Array<{ snapshot: string }>;
    const [{ horizon }] = (await runner.query(
      `SELECT LEAST(pg_snapshot_xmax($1::pg_snapshot), (
                SELECT min(x) FROM pg_snapshot_xip($1::pg_snapshot) x
                 WHERE NOT EXISTS (
                   SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                    WHERE l.locktype = 'transactionid' AND l.transactionid = x::xid
                      AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database()))
                   AND NOT EXISTS (
                     SELECT 1 FROM pg_prepared_xacts p WHERE p.transaction = x::xid AND p.database <> current_database())))::text AS horizon`,
      [snapshot],
    )) as Array<{ horizon: string }>;
    return horizon;
  }

  /** Seals the organization's next segment below `horizon`; null when it has none. */
  private async sealNext(em: EntityManager, organizationId: string, horizon: string): Promise<{ entries: number } | null> {
    const [tail] = await em.query<ChainTail[]>(
      `(SELECT sequence, to_txid::text AS to_txid, mac FROM audit_seals WHERE organization_id = $1 ORDER BY sequence DESC LIMIT 1)
       UNION ALL
       (SELECT up_to_sequence, to_txid::text, seal_mac FROM audit_checkpoints WHERE organization_id = $1 ORDER BY up_to_sequence DESC LIMIT 1)
       ORDER BY 1 DESC LIMIT 1`,
      [organizationId],
    );
    const from = tail?.to_txid ?? '0';
    const toTxid = await this.segmentEnd(em, organizationId, from, horizon);
    if (!toTxid) return null;
    const [s] = await em.query<SegmentRow[]>(
      `SELECT count(*)::int AS n,
              (array_agg(id ORDER BY txid, seq))[1] AS first_id, (array_agg(id ORDER BY txid DESC, seq DESC))[1] AS last_id,
              min(created_at)::text AS first_at, max(created_at)::text AS last_at,
              (extract(epoch FROM min(created_at)) * 1000000)::bigint::text AS first_us,
              (extract(epoch FROM max(created_at)) * 1000000)::bigint::text AS last_us,
              string_agg(audit_entry_digest(a), ''::bytea ORDER BY txid, seq) AS digests
         FROM audit_logs a WHERE organization_id = $1 AND txid >= $2::xid8 AND txid < $3::xid8`,
      [organizationId, from, toTxid],
    );
    const sequence = String(BigInt(tail?.sequence ?? '0') + 1n);
    const prevMac = tail?.mac ?? null;
    const mac = this.mac.seal({
      organizationId,
      sequence,
      prevMac,
      fromTxid: from,
      toTxid,
      entryCount: s.n,
      firstEntryId: s.first_id,
      lastEntryId: s.last_id,
      firstCreatedAt: s.first_us,
      lastCreatedAt: s.last_us,
      digestsHash: digestsHash(s.digests),
    });
    await em.query(
      `INSERT INTO audit_seals (organization_id, sequence, from_txid, to_txid, entry_count, first_entry_id, last_entry_id,
                                first_created_at, last_created_at, digests, prev_mac, mac)
       VALUES ($1, $2, $3::xid8, $4::xid8, $5, $6, $7, $8::timestamptz, $9::timestamptz, $10, $11, $12)`,
      [organizationId, sequence, from, toTxid, s.n, s.first_id, s.last_id, s.first_at, s.last_at, s.digests, prevMac, mac],
    );
    return { entries: s.n };
  }

  /**
   * Where the organization's next seal from `from` ends (exclusive): the horizon, or, past MAX_ENTRIES_PER_SEAL entries,
   * the txid of the first entry over the cap (a single transaction over the cap goes whole). Undefined: nothing to seal.
   */
  private async segmentEnd(em: EntityManager, organizationId: string, from: string, horizon: string): Promise<string | undefined> {
    const [{ first, over }] = await em.query<Array<{ first: string | null; over: string | null }>>(
      `SELECT (SELECT txid::text FROM audit_logs WHERE organization_id = $1 AND txid >= $2::xid8 AND txid < $3::xid8
                ORDER BY txid, seq LIMIT 1) AS first,
              (SELECT txid::text FROM audit_logs WHERE organization_id = $1 AND txid >= $2::xid8 AND txid < $3::xid8
                ORDER BY txid, seq OFFSET $4 LIMIT 1) AS over`,
      [organizationId, from, horizon, MAX_ENTRIES_PER_SEAL],
    );
    if (!first) return undefined;
    if (!over) return horizon;
    return over === first ? String(BigInt(over) + 1n) : over;
  }
}

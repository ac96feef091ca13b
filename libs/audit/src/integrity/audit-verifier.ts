import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RequestContext } from '@atrium/platform';
import { SealMac } from './seal-mac.js';

export type MismatchKind = 'entry_changed' | 'entry_missing' | 'entry_added' | 'seal_changed' | 'chain_broken';

/** What `GET /audit-logs/verify` answers. */
export type Verification =
  | {
      status: 'ok';
      seals_checked: number;
      entries_checked: number;
      unsealed_entries: number;
      /** The newest seal checked; record it outside the database to catch a removal of the newest seals with their entries. */
      head: { sequence: number; mac: string } | null;
    }
  | { status: 'tampered'; first_mismatch: { kind: MismatchKind; seal_sequence: number; entry_id: string | null } };

/** One stored seal, with what its entries are now (recomputed in the same query). */
interface CheckedSeal {
  sequence: string;
  from_txid: string;
  to_txid: string;
  entry_count: number;
  first_entry_id: string;
  last_entry_id: string;
  first_us: string;
  last_us: string;
  digests_hash: Buffer;
  prev_mac: Buffer | null;
  mac: Buffer;
  actual_count: number;
  digests_match: boolean;
}

type Mismatch = Extract<Verification, { status: 'tampered' }>['first_mismatch'];

/**
 * Recomputes an organization's seal chain over a time range: each seal's MAC from its stored fields, its link to the
 * previous seal (or to the retention checkpoint that removed it), and its entries' digests, which the database
 * recomputes in one pass. A range need not start at the chain's beginning: no seal can be forged without the key.
 */
@Injectable()
export class AuditVerifier {
  constructor(
    private readonly dataSource: DataSource,
    private readonly mac: SealMac,
  ) {}

  /**
   * `from`/`to`: the seals from the first to the last with entries in that time range (both ends included); unset, the
   * whole chain.
   */
  async verify(ctx: RequestContext, range: { from?: Date; to?: Date }): Promise<Verification> {
    const organizationId = ctx.requireOrganizationId();
    const seals = await this.dataSource.query<CheckedSeal[]>(
      `WITH bounds AS (
         SELECT min(sequence) AS lo, max(sequence) AS hi FROM audit_seals
          WHERE organization_id = $1
            AND ($2::timestamptz IS NULL OR last_created_at >= $2) AND ($3::timestamptz IS NULL OR first_created_at <= $3))
       SELECT s.sequence, s.from_txid::text, s.to_txid::text, s.entry_count, s.first_entry_id, s.last_entry_id,
              (extract(epoch FROM s.first_created_at) * 1000000)::bigint::text AS first_us,
              (extract(epoch FROM s.last_created_at) * 1000000)::bigint::text AS last_us,
              sha256(s.digests) AS digests_hash, s.prev_mac, s.mac,
              x.n AS actual_count, x.d IS NOT DISTINCT FROM s.digests AS digests_match
         FROM bounds JOIN audit_seals s ON s.organization_id = $1 AND s.sequence BETWEEN bounds.lo AND bounds.hi
         CROSS JOIN LATERAL (
           SELECT count(*)::int AS n, string_agg(audit_entry_digest(a), ''::bytea ORDER BY a.txid, a.seq) AS d
             FROM audit_logs a WHERE a.organization_id = s.organization_id AND a.txid >= s.from_txid AND a.txid < s.to_txid) x
        ORDER BY s.sequence`,
      [organizationId, range.from ?? null, range.to ?? null],
    );
    let previous: CheckedSeal | undefined;
    let entries = 0;
    for (const seal of seals) {
      const mismatch =
        this.sealMismatch(organizationId, seal) ??
        (previous ? linkMismatch(previous, seal) : await this.startMismatch(organizationId, seal)) ??
        (seal.actual_count === seal.entry_count && seal.digests_match ? null : await this.entryMismatch(organizationId, seal));
      if (mismatch) return { status: 'tampered', first_mismatch: mismatch };
      entries += seal.entry_count;
      previous = seal;
    }
    return {
      status: 'ok',
      seals_checked: seals.length,
      entries_checked: entries,
      unsealed_entries: await this.unsealed(organizationId, range),
      head: previous ? { sequence: Number(previous.sequence), mac: previous.mac.toString('hex') } : null,
    };
  }

  private sealMismatch(organizationId: string, s: CheckedSeal): Mismatch | null {
    const expected = this.mac.seal({
      organizationId,
      sequence: s.sequence,
      prevMac: s.prev_mac,
      fromTxid: s.from_txid,
      toTxid: s.to_txid,
      entryCount: s.entry_count,
      firstEntryId: s.first_entry_id,
      lastEntryId: s.last_entry_id,
      firstCreatedAt: s.first_us,
      lastCreatedAt: s.last_us,
      digestsHash: s.digests_hash,
    });
    return expected.equals(s.mac) ? null : mismatchAt('seal_changed', s);
  }

  /**
   * The first seal checked links to what came before it: nothing (sequence 1, and no entry below its range), the stored
   * previous seal, or the retention checkpoint that removed the previous seal (its own MAC checked).
   */
  private async startMismatch(organizationId: string, s: CheckedSeal): Promise<Mismatch | null> {
    if (s.sequence === '1') return s.prev_mac === null ? this.entryBelow(organizationId, s) : mismatchAt('chain_broken', s);
    const [before] = await this.dataSource.query<Array<{ mac: Buffer; to_txid: string }>>(
      `SELECT mac, to_txid::text FROM audit_seals WHERE organization_id = $1 AND sequence = $2`,
      [organizationId, BigInt(s.sequence) - 1n],
    );
    if (before)
      return before.mac.equals(s.prev_mac ?? Buffer.alloc(0)) && before.to_txid === s.from_txid ? null : mismatchAt('chain_broken', s);
    const [checkpoint] = await this.dataSource.query<Array<{ seal_mac: Buffer; to_txid: string; entries_removed: string; mac: Buffer }>>(
      `SELECT seal_mac, to_txid::text, entries_removed::text, mac FROM audit_checkpoints WHERE organization_id = $1 AND up_to_sequence = $2`,
      [organizationId, BigInt(s.sequence) - 1n],
    );
    const valid =
      checkpoint &&
      this.mac
        .checkpoint({
          organizationId,
          upToSequence: String(BigInt(s.sequence) - 1n),
          sealMac: checkpoint.seal_mac,
          toTxid: checkpoint.to_txid,
          entriesRemoved: checkpoint.entries_removed,
        })
        .equals(checkpoint.mac) &&
      checkpoint.seal_mac.equals(s.prev_mac ?? Buffer.alloc(0)) &&
      checkpoint.to_txid === s.from_txid;
    return valid ? this.entryBelow(organizationId, s) : mismatchAt('chain_broken', s);
  }

  /** At the chain's start nothing may sit below the first seal's range (the earlier entries went with a checkpoint). */
  private async entryBelow(organizationId: string, s: CheckedSeal): Promise<Mismatch | null> {
    const [below] = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM audit_logs WHERE organization_id = $1 AND txid < $2::xid8 ORDER BY txid, seq LIMIT 1`,
      [organizationId, s.from_txid],
    );
    return below ? mismatchAt('entry_added', s, below.id) : null;
  }

  /** Names the first entry of a seal whose digest, or presence, differs from what the seal recorded. */
  private async entryMismatch(organizationId: string, s: CheckedSeal): Promise<Mismatch> {
    const [[{ digests }], actual] = await Promise.all([
      this.dataSource.query<Array<{ digests: Buffer }>>(`SELECT digests FROM audit_seals WHERE organization_id = $1 AND sequence = $2`, [
        organizationId,
        s.sequence,
      ]),
      this.dataSource.query<Array<{ id: string; d: Buffer }>>(
        `SELECT id, audit_entry_digest(a) AS d FROM audit_logs a
          WHERE organization_id = $1 AND txid >= $2::xid8 AND txid < $3::xid8 ORDER BY txid, seq`,
        [organizationId, s.from_txid, s.to_txid],
      ),
    ]);
    const sealed = (i: number) => (i < s.entry_count ? digests.subarray(i * 32, i * 32 + 32) : undefined);
    for (let i = 0; ; i++) {
      const want = sealed(i);
      const got = actual[i];
      if (!want && !got) break;
      if (want && got && want.equals(got.d)) continue;
      if (!got) return mismatchAt('entry_missing', s);
      if (!want) return mismatchAt('entry_added', s, got.id);
      // One sealed entry gone: the rest shifts down by one. One entry slipped in: the sealed ones shift up by one.
      if (sealed(i + 1)?.equals(got.d)) return mismatchAt('entry_missing', s);
      if (actual[i + 1]?.d.equals(want)) return mismatchAt('entry_added', s, got.id);
      return mismatchAt('entry_changed', s, got.id);
    }
    // The digests match one by one, so the stored row changed under the same content: the seal no longer holds.
    return mismatchAt('seal_changed', s);
  }

  /** Entries in the range the chain does not cover yet (above its newest seal). */
  private async unsealed(organizationId: string, range: { from?: Date; to?: Date }): Promise<number> {
    const [{ n }] = await this.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM audit_logs a
        WHERE a.organization_id = $1
          AND a.txid >= COALESCE(
                (SELECT to_txid FROM audit_seals WHERE organization_id = $1 ORDER BY sequence DESC LIMIT 1),
                (SELECT to_txid FROM audit_checkpoints WHERE organization_id = $1 ORDER BY up_to_sequence DESC LIMIT 1),
                '0'::xid8)
          AND ($2::timestamptz IS NULL OR a.created_at >= $2) AND ($3::timestamptz IS NULL OR a.created_at <= $3)`,
      [organizationId, range.from ?? null, range.to ?? null],
    );
    return n;
  }
}

/** Consecutive seals: numbered one after the other, each starting where the previous ended and naming its MAC. */
function linkMismatch(previous: CheckedSeal, s: CheckedSeal): Mismatch | null {
  const linked =
    BigInt(s.sequence) === BigInt(previous.sequence) + 1n && s.from_txid === previous.to_txid && !!s.prev_mac?.equals(previous.mac);
  return linked ? null : mismatchAt('chain_broken', s);
}

function mismatchAt(kind: MismatchKind, s: CheckedSeal, entryId: string | null = null): Mismatch {
  return { kind, seal_sequence: Number(s.sequence), entry_id: entryId };
}

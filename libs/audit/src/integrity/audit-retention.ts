import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { acrossTenants, Entitlements, RequestContext } from '@atrium/platform';
import { runAlone } from './run-alone.js';
import { SealMac } from './seal-mac.js';

/** The package limit that says how many days of audit trail an organization keeps. */
export const AUDIT_RETENTION_FEATURE = 'audit_retention_days';
/** Entries one checkpoint removes at most (whole seals; at least one), so a large backlog never holds long locks. */
const MAX_ENTRIES_PER_CHECKPOINT = 100_000;

interface ExpiredSeal {
  sequence: string;
  mac: Buffer;
  to_txid: string;
  running: string;
}

/** What one retention run removed. */
export interface RetentionRun {
  checkpoints: number;
  entries: number;
}

/**
 * Removes whole sealed segments of the audit trail past each organization's retention (the `audit_retention_days`
 * limit of its package): for each, a keyed `audit_checkpoints` row whose trigger deletes the segment's entries and
 * seals, so every removal is recorded and `verify` starts from the checkpoint for what remains. Unsealed entries and a
 * seal holding any entry still inside the retention stay.
 */
@Injectable()
export class AuditRetention {
  private readonly logger = new Logger('AuditRetention');

  constructor(
    private readonly dataSource: DataSource,
    private readonly entitlements: Entitlements,
    private readonly mac: SealMac,
  ) {}

  /** One run over every organization; a run under way in another process is waited for first (one at a time). */
  prune(): Promise<RetentionRun> {
    // Every organization's due work: across tenants (row-level security).
    return acrossTenants(() => runAlone(this.dataSource, 'atrium:audit-retention', () => this.pruneAll()));
  }

  private async pruneAll(): Promise<RetentionRun> {
    // Only an organization with a seal older than the shortest retention of any package can have anything to remove.
    const candidates = await this.dataSource.query<Array<{ organization_id: string }>>(
      `SELECT DISTINCT organization_id FROM audit_seals
        WHERE last_created_at < now() - make_interval(days => (
          SELECT min(pf.limit_value)::int FROM package_features pf JOIN features f ON f.id = pf.feature_id WHERE f.key = $1))`,
      [AUDIT_RETENTION_FEATURE],
    );
    const run: RetentionRun = { checkpoints: 0, entries: 0 };
    for (const { organization_id: organizationId } of candidates) {
      const days = await this.entitlements.limit(RequestContext.system('audit-retention', organizationId), AUDIT_RETENTION_FEATURE);
      // Unlimited, or a package without the feature: the whole trail is kept.
      if (days === null || days <= 0) continue;
      for (let removed: number; (removed = await this.removeSegment(organizationId, days)) > 0;) {
        run.checkpoints++;
        run.entries += removed;
      }
    }
    if (run.checkpoints) this.logger.log(`Removed ${run.entries} audit entries past retention in ${run.checkpoints} checkpoints`);
    return run;
  }

  /** Removes the organization's oldest seals whose entries are all older than `days` (from the first on); answers how many entries. */
  private async removeSegment(organizationId: string, days: number): Promise<number> {
    const expired = await this.dataSource.query<ExpiredSeal[]>(
      `SELECT sequence::text, mac, to_txid::text, running::text FROM (
         SELECT sequence, mac, to_txid, sum(entry_count) OVER w AS running,
                bool_and(last_created_at < now() - make_interval(days => $2)) OVER w AS expired
           FROM audit_seals WHERE organization_id = $1 WINDOW w AS (ORDER BY sequence)) x
        WHERE expired ORDER BY sequence LIMIT 1000`,
      [organizationId, days],
    );
    if (!expired.length) return 0;
    const upTo = expired.findLast((s) => Number(s.running) <= MAX_ENTRIES_PER_CHECKPOINT) ?? expired[0];
    const mac = this.mac.checkpoint({
      organizationId,
      upToSequence: upTo.sequence,
      sealMac: upTo.mac,
      toTxid: upTo.to_txid,
      entriesRemoved: upTo.running,
    });
    // The trigger checks the seal, deletes the entries and seals, and refuses a count that differs from the seals'.
    await this.dataSource.query(
      `INSERT INTO audit_checkpoints (organization_id, up_to_sequence, seal_mac, to_txid, entries_removed, mac)
       VALUES ($1, $2, $3, $4::xid8, $5, $6)`,
      [organizationId, upTo.sequence, upTo.mac, upTo.to_txid, upTo.running, mac],
    );
    return Number(upTo.running);
  }
}

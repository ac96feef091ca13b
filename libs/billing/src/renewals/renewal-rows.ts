import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { returnedRows } from '@atrium/platform';
import type { RenewalStatus } from './billing-renewal.entity.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A renewal row as the scan reads it. */
export interface RenewalRow {
  id: string;
  organizationId: string;
  periodEnd: Date;
  status: RenewalStatus;
  attempts: number;
  nextAttemptAt: Date;
  anchorAt: Date | null;
  renewedUntil: Date | null;
}

interface RawRow {
  id: string;
  organization_id: string;
  period_end: Date;
  status: RenewalStatus;
  attempts: number;
  next_attempt_at: Date;
  anchor_at: Date | null;
  renewed_until: Date | null;
}

const toRow = (r: RawRow): RenewalRow => ({
  id: r.id,
  organizationId: r.organization_id,
  periodEnd: new Date(r.period_end),
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: new Date(r.next_attempt_at),
  anchorAt: r.anchor_at ? new Date(r.anchor_at) : null,
  renewedUntil: r.renewed_until ? new Date(r.renewed_until) : null,
});

/**
 * The `billing_renewals` table. Rows are made with `INSERT … ON CONFLICT DO NOTHING` on (organization, period end)
 * and every step claims its row with a conditional UPDATE, so whichever worker (or re-delivered job) gets the row
 * does the step and the others find nothing to do. Reached across organizations: the scan is a system job.
 */
@Injectable()
export class RenewalRows {
  constructor(private readonly dataSource: DataSource) {}

  /** One row for each paid period ending within `noticeDays` of `at` (or already ended) that has none yet. */
  async ensure(at: Date, noticeDays: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO billing_renewals (organization_id, period_end, status, next_attempt_at)
       SELECT s.organization_id, s.current_period_end, 'scheduled', s.current_period_end
         FROM organization_subscriptions s JOIN packages p ON p.id = s.package_id
        WHERE NOT p.is_default AND s.current_period_end IS NOT NULL AND s.status IN ('active', 'past_due')
          AND s.current_period_end <= $1
       ON CONFLICT (organization_id, period_end) DO NOTHING`,
      [new Date(at.getTime() + noticeDays * DAY_MS)],
    );
  }

  /** Rows whose notice may be due: still scheduled, not yet noticed, ending within the window, auto-renew on. */
  async noticeCandidates(at: Date, noticeDays: number): Promise<RenewalRow[]> {
    const rows = await this.dataSource.query<RawRow[]>(
      `SELECT r.* FROM billing_renewals r
         JOIN organization_subscriptions s ON s.organization_id = r.organization_id AND s.current_period_end = r.period_end
        WHERE r.status = 'scheduled' AND r.notice_sent_at IS NULL AND r.period_end > $1 AND r.period_end <= $2
          AND s.auto_renew AND s.status = 'active'
        ORDER BY r.period_end LIMIT 500`,
      [at, new Date(at.getTime() + noticeDays * DAY_MS)],
    );
    return rows.map(toRow);
  }

  /** Marks the notice sent; false when another worker already did (then it sends nothing). */
  async claimNotice(em: EntityManager, id: string, at: Date): Promise<boolean> {
    const claimed = returnedRows(
      await em.query(
        `UPDATE billing_renewals SET notice_sent_at = $2, updated_at = now() WHERE id = $1 AND notice_sent_at IS NULL RETURNING id`,
        [id, at],
      ),
    );
    return claimed.length > 0;
  }

  /** Open rows whose next step is due at `at` (a `charging` row is due again once its lease has run out). */
  async due(at: Date): Promise<RenewalRow[]> {
    const rows = await this.dataSource.query<RawRow[]>(
      `SELECT * FROM billing_renewals WHERE status IN ('scheduled', 'charging', 'retry') AND next_attempt_at <= $1
        ORDER BY next_attempt_at LIMIT 500`,
      [at],
    );
    return rows.map(toRow);
  }

  /**
   * Claims a due row for one step: it becomes `charging` with a lease until `leaseUntil` (a worker that dies leaves
   * it to be claimed again once the lease runs out). Null when another worker has it or it is not due.
   */
  async claim(id: string, at: Date, leaseUntil: Date): Promise<RenewalRow | null> {
    const [row] = returnedRows<RawRow>(
      await this.dataSource.query(
        `UPDATE billing_renewals SET status = 'charging', next_attempt_at = $3, updated_at = now()
          WHERE id = $1 AND status IN ('scheduled', 'charging', 'retry') AND next_attempt_at <= $2
         RETURNING *`,
        [id, at, leaseUntil],
      ),
    );
    return row ? toRow(row) : null;
  }

  /** Gives a claimed row back, due again at `at` (the step failed before an outcome: e.g. the gateway was unreachable). */
  async release(id: string, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE billing_renewals SET status = CASE WHEN attempts = 0 THEN 'scheduled' ELSE 'retry' END, next_attempt_at = $2,
              updated_at = now()
        WHERE id = $1 AND status = 'charging'`,
      [id, at],
    );
  }

  /** Records the anchor and the end of the period the charge about to be made buys. */
  async plan(em: EntityManager, id: string, anchorAt: Date, renewedUntil: Date): Promise<void> {
    await em.query(`UPDATE billing_renewals SET anchor_at = $2, renewed_until = $3, updated_at = now() WHERE id = $1`, [
      id,
      anchorAt,
      renewedUntil,
    ]);
  }

  /** Moves a claimed row to its outcome; false when it was not claimed (any more). */
  async finish(
    em: EntityManager,
    id: string,
    patch: { status: RenewalStatus; attempts?: number; nextAttemptAt?: Date; paymentId?: string | null; failureCode?: string | null },
  ): Promise<boolean> {
    const done = returnedRows(
      await em.query(
        `UPDATE billing_renewals SET status = $2, attempts = COALESCE($3, attempts), next_attempt_at = COALESCE($4, next_attempt_at),
                last_payment_id = COALESCE($5, last_payment_id), failure_code = $6, updated_at = now()
          WHERE id = $1 AND status = 'charging' RETURNING id`,
        [id, patch.status, patch.attempts ?? null, patch.nextAttemptAt ?? null, patch.paymentId ?? null, patch.failureCode ?? null],
      ),
    );
    return done.length > 0;
  }

  /** The anchor of the renewal that bought the period ending at `periodEnd`, if one did. */
  async anchorOf(em: EntityManager, organizationId: string, periodEnd: Date): Promise<Date | null> {
    const [row] = await em.query<Array<{ anchor_at: Date | null }>>(
      `SELECT anchor_at FROM billing_renewals WHERE organization_id = $1 AND status = 'renewed' AND renewed_until = $2`,
      [organizationId, periodEnd],
    );
    return row?.anchor_at ? new Date(row.anchor_at) : null;
  }

  /** A renewal payment of this period that already succeeded (a worker died after the charge, before the row was marked). */
  async succeededPayment(
    em: EntityManager,
    organizationId: string,
    periodEnd: Date,
  ): Promise<{ id: string; amount_minor: string; currency: string } | null> {
    const [row] = await em.query<Array<{ id: string; amount_minor: string; currency: string }>>(
      `SELECT id, amount_minor::text, currency FROM payments
        WHERE organization_id = $1 AND payment_type = 'renewal' AND status = 'succeeded' AND purchase->>'periodStart' = $2
        ORDER BY created_at LIMIT 1`,
      [organizationId, periodEnd.toISOString()],
    );
    return row ?? null;
  }
}

/** `at` plus whole days. */
export const plusDays = (at: Date, days: number): Date => new Date(at.getTime() + days * DAY_MS);

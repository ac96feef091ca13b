import { Column, Entity, Index } from 'typeorm';
import { TenantEntity } from '@atrium/platform';

/**
 * Where one paid period's renewal stands: `scheduled` (notice window or due), `charging` (claimed by a worker; the
 * claim is a lease in `next_attempt_at`), `retry` (dunning: past due, next attempt or the lapse at `next_attempt_at`),
 * then one of `renewed`, `lapsed` (moved to Free after the grace period), `ended` (auto-renew off or a scheduled move
 * to Free) or `superseded` (the period changed before it ended, e.g. an upgrade).
 */
export type RenewalStatus = 'scheduled' | 'charging' | 'retry' | 'renewed' | 'lapsed' | 'ended' | 'superseded';

/** One row per organization and period end being renewed: the exactly-once key of renewals and dunning. */
@Entity('billing_renewals')
@Index('uq_billing_renewals_org_period', ['organizationId', 'periodEnd'], { unique: true })
export class BillingRenewal extends TenantEntity {
  @Column('timestamptz')
  periodEnd: Date;

  @Column('text', { default: 'scheduled' })
  status: RenewalStatus;

  /** Charge attempts made that reached an outcome (an unreachable gateway does not count). */
  @Column('int', { default: 0 })
  attempts: number;

  @Column('timestamptz')
  nextAttemptAt: Date;

  /** The instant the renewed periods are counted from (`addMonths(anchor, n × months)`), so Jan 31 → Feb 29 → Mar 31. */
  @Column('timestamptz', { nullable: true })
  anchorAt: Date | null;

  /** The end of the period this renewal buys. */
  @Column('timestamptz', { nullable: true })
  renewedUntil: Date | null;

  @Column('uuid', { nullable: true })
  lastPaymentId: string | null;

  @Column('timestamptz', { nullable: true })
  noticeSentAt: Date | null;

  @Column('text', { nullable: true })
  failureCode: string | null;
}

import { Column, Entity } from 'typeorm';
import { TenantEntity, bigintNumber } from '@atrium/platform';

/**
 * A used quote. Quotes themselves are signed tokens (quote-token.ts) and are not stored; the first payment (or change
 * with nothing due) that uses one records it here under the token's random id, which makes it single-use.
 */
@Entity('billing_quotes')
export class BillingQuote extends TenantEntity {
  @Column('int')
  packageId: number;

  @Column('text')
  period: string;

  @Column('int', { nullable: true })
  customMonths: number | null;

  @Column('bigint', { transformer: bigintNumber })
  listMinor: number;

  @Column('bigint', { transformer: bigintNumber })
  creditMinor: number;

  @Column('bigint', { transformer: bigintNumber })
  dueMinor: number;

  @Column('text')
  currency: string;

  @Column('timestamptz')
  periodStart: Date;

  @Column('timestamptz')
  periodEnd: Date;

  @Column('timestamptz')
  expiresAt: Date;

  /** When a payment or an immediate change took it. */
  @Column('timestamptz')
  usedAt: Date;

  /** The payment that took it; null for a change applied at once (nothing due). */
  @Column('uuid', { nullable: true })
  paymentId: string | null;
}

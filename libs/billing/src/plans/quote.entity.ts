import { Column, Entity } from 'typeorm';
import { TenantEntity, bigintNumber } from '@atrium/platform';

/** A priced package change, valid 30 minutes: the payment (or the change with nothing due) uses its figure. */
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

  /** When a payment or an immediate change took it; a quote is used once. */
  @Column('timestamptz', { nullable: true })
  usedAt: Date | null;

  @Column('uuid', { nullable: true })
  paymentId: string | null;
}

import { Column, Entity, Index } from 'typeorm';
import { TenantEntity, bigintNumber } from '@atrium/platform';

export type SubscriptionStatus = 'active' | 'past_due' | 'cancelled';

/** A change chosen now that applies when the current period ends (a downgrade, or a shorter period). */
export interface ScheduledChange {
  packageId: number;
  /** Null when moving to the free package. */
  period: string | null;
  customMonths?: number;
  /** ISO instant: the current period's end. */
  effectiveAt: string;
}

/** The package an organization is on: one row per organization, created with it on the default (Free) package. */
@Entity('organization_subscriptions')
@Index('uq_organization_subscriptions_org', ['organizationId'], { unique: true })
export class OrganizationSubscription extends TenantEntity {
  @Column('int')
  packageId: number;

  /** Only an active subscription grants its package; otherwise the default package applies. */
  @Column('text', { default: 'active' })
  status: SubscriptionStatus;

  /** The billing period paid for (`1_month`, `1_year`, …); null on the free package. */
  @Column('text', { nullable: true })
  period: string | null;

  @Column('timestamptz')
  startedAt: Date;

  @Column('timestamptz', { nullable: true })
  currentPeriodEnd: Date | null;

  @Column('boolean', { default: false })
  autoRenew: boolean;

  /** Start of the current paid period; null on the free package. */
  @Column('timestamptz', { nullable: true })
  currentPeriodStart: Date | null;

  /** Months of a `custom` period. */
  @Column('int', { nullable: true })
  customMonths: number | null;

  /**
   * What the current period was bought for, in minor units of `currency` (paid plus any credit applied): the
   * unused part of it is the credit of an upgrade. 0 on the free package.
   */
  @Column('bigint', { default: 0, transformer: bigintNumber })
  amountMinor: number;

  @Column('text', { default: 'USD' })
  currency: string;

  @Column('jsonb', { nullable: true })
  scheduledChange: ScheduledChange | null;

  /** The saved payment method for auto-renewal: the gateway's reference and what to show; never card data. */
  @Column('text', { nullable: true })
  paymentMethodGateway: 'sandbox' | 'stripe' | null;

  @Column('text', { nullable: true })
  paymentMethodRef: string | null;

  @Column('text', { nullable: true })
  paymentMethodBrand: string | null;

  @Column('text', { nullable: true })
  paymentMethodLast4: string | null;
}

/** An add-on bought on top of the package: a flag feature, or `quantity` × the feature's add-on unit of a limit. */
@Entity('organization_features')
export class OrganizationFeature extends TenantEntity {
  @Column('int')
  featureId: number;

  @Column('int', { default: 1 })
  quantity: number;

  @Column('text', { default: 'active' })
  status: 'active' | 'cancelled';

  /** End of the period paid for; null for add-ons granted without an end. */
  @Column('timestamptz', { nullable: true })
  expiresAt: Date | null;

  /** Set when stopped: the add-on stays active until then (its period end), then lapses. */
  @Column('timestamptz', { nullable: true })
  cancelAt: Date | null;

  /** The payment that bought it. */
  @Column('uuid', { nullable: true })
  paymentId: string | null;
}

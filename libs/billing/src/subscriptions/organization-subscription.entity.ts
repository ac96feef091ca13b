import { Column, Entity, Index } from 'typeorm';
import { TenantEntity } from '@atrium/platform';

export type SubscriptionStatus = 'active' | 'past_due' | 'cancelled';

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

  @Column('timestamptz', { nullable: true })
  expiresAt: Date | null;
}

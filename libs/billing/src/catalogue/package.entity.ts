import { bigintNumber } from '@atrium/platform';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** A plan organizations subscribe to: Free, Basic, Platinum, Diamond. Seeded by migration. */
@Entity('packages')
export class Package {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('uq_packages_slug', { unique: true })
  @Column('text')
  slug: string;

  @Column('text')
  name: string;

  @Column('text')
  description: string;

  /** The package every new organization starts on (Free). */
  @Column('boolean', { default: false })
  isDefault: boolean;

  @Column('boolean', { default: true })
  active: boolean;

  @Column('text', { default: 'USD' })
  currency: string;

  @Column('int', { default: 0 })
  sortOrder: number;
}

/** The price of a package for one billing period (`1_month`, `3_months`, `6_months`, `1_year`). */
@Entity('package_prices')
export class PackagePrice {
  @PrimaryColumn('int')
  packageId: number;

  @PrimaryColumn('text')
  period: string;

  @Column('int')
  months: number;

  @Column('int')
  amountCents: number;
}

/** A feature a package includes; for limits, `limitValue` null means unlimited. */
@Entity('package_features')
export class PackageFeature {
  @PrimaryColumn('int')
  packageId: number;

  @PrimaryColumn('int')
  featureId: number;

  @Column('bigint', { nullable: true, transformer: bigintNumber })
  limitValue: number | null;
}

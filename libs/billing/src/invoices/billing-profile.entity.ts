import { Column, Entity, Index } from 'typeorm';
import { TenantEntity } from '@atrium/platform';

/** Who an organization's invoices are made out to; one row per organization, absent until first set. */
@Entity('billing_profiles')
@Index('uq_billing_profiles_organization', ['organizationId'], { unique: true })
export class BillingProfile extends TenantEntity {
  @Column('text')
  legalName: string;

  @Column('text')
  email: string;

  @Column('text', { nullable: true })
  addressLine1: string | null;

  @Column('text', { nullable: true })
  addressLine2: string | null;

  @Column('text', { nullable: true })
  postalCode: string | null;

  @Column('text', { nullable: true })
  city: string | null;

  /** ISO 3166-1 alpha-2, uppercase. */
  @Column('text', { nullable: true })
  country: string | null;

  @Column('text', { nullable: true })
  taxId: string | null;
}

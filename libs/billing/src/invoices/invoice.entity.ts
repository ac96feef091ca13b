import { Column, Entity, Index } from 'typeorm';
import { TenantEntity, bigintNumber } from '@atrium/platform';

/** An invoice line as stored (snake_case, minor units). */
export interface StoredInvoiceLine {
  description: string;
  quantity: number;
  unit_minor: number;
  total_minor: number;
}

/** The buyer as the invoice names them: the billing details in force when it was issued, never updated after. */
export interface BillingDetailsSnapshot {
  legal_name: string;
  email: string | null;
  address_line1: string | null;
  address_line2: string | null;
  postal_code: string | null;
  city: string | null;
  country: string | null;
  tax_id: string | null;
}

/** The invoice of one succeeded payment, numbered `INV-<year>-<seq>` without gaps per organization and year. */
@Entity('invoices')
@Index('uq_invoices_payment', ['paymentId'], { unique: true })
@Index('uq_invoices_organization_year_seq', ['organizationId', 'year', 'seq'], { unique: true })
export class Invoice extends TenantEntity {
  @Column('uuid')
  paymentId: string;

  @Column('text')
  number: string;

  /** The UTC calendar year of `issuedAt`. */
  @Column('int')
  year: number;

  @Column('int')
  seq: number;

  @Column('text')
  currency: string;

  @Column('jsonb')
  lines: StoredInvoiceLine[];

  @Column('bigint', { transformer: bigintNumber })
  totalMinor: number;

  @Column('jsonb')
  billingDetails: BillingDetailsSnapshot;

  @Column('timestamptz')
  issuedAt: Date;
}

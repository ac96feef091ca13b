import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { TenantEntity, bigintNumber } from '@atrium/platform';
import type { GatewayName } from '../gateways/payment-gateway.js';
import type { PaymentType, Purchase, PurchaseLine } from './purchase.js';

export type PaymentStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled';

/** Money an organization pays through a gateway for a purchase; moves from pending to a final state once. */
@Entity('payments')
export class Payment extends TenantEntity {
  @Column('uuid', { nullable: true })
  createdBy: string | null;

  /** `external`: a partner's paid invoice, recorded from its webhook (no gateway of ours took it). */
  @Column('text')
  gateway: GatewayName | 'external';

  @Column('text')
  paymentType: PaymentType | 'external_invoice';

  @Column('text', { default: 'pending' })
  status: PaymentStatus;

  @Column('bigint', { transformer: bigintNumber })
  amountMinor: number;

  @Column('text')
  currency: string;

  @Column('text')
  description: string;

  /** What the payment buys, applied when it succeeds. */
  @Column('jsonb')
  purchase: Purchase;

  @Column('jsonb')
  lines: PurchaseLine[];

  /** The gateway's id of the charge; unique per gateway, so a charge pays one payment. */
  @Column('text', { nullable: true })
  transactionId: string | null;

  @Column('text', { nullable: true })
  checkoutUrl: string | null;

  @Column('text', { nullable: true })
  failureCode: string | null;

  @Column('text', { nullable: true })
  failureMessage: string | null;

  @Column('timestamptz', { nullable: true })
  succeededAt: Date | null;

  @Column('timestamptz', { nullable: true })
  failedAt: Date | null;
}

/** A verified gateway callback, claimed by its id before it is processed (redeliveries find it stored). */
@Entity('payment_events')
export class PaymentEvent {
  @PrimaryColumn('text')
  gateway: string;

  @PrimaryColumn('text')
  eventId: string;

  @Column('text')
  type: string;

  @Column('text', { nullable: true })
  transactionId: string | null;

  @Column('jsonb')
  payload: unknown;

  @CreateDateColumn({ type: 'timestamptz' })
  receivedAt: Date;

  @Column('timestamptz', { nullable: true })
  processedAt: Date | null;

  @Column('text', { nullable: true })
  outcome: string | null;
}

/** An organization's customer at a gateway (created once, reused for every charge and saved method). */
@Entity('billing_customers')
export class BillingCustomer {
  @PrimaryColumn('uuid')
  organizationId: string;

  @PrimaryColumn('text')
  gateway: string;

  @Column('text')
  customerRef: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/** Whether the gateway's word can still change this payment: pending, or failed (a declined Stripe intent may still be paid). */
export const settleable = (p: Pick<Payment, 'status'>): boolean => p.status === 'pending' || p.status === 'failed';

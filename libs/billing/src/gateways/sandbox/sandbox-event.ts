import type { GatewayChargeStatus } from '../payment-gateway.js';

/** A charge as the sandbox keeps it. */
export interface SandboxCharge {
  id: string;
  customerId: string;
  paymentId: string;
  organizationId: string;
  amountMinor: number;
  currency: string;
  description: string;
  status: GatewayChargeStatus;
  failureCode: string | null;
  failureMessage: string | null;
  returnUrl: string | null;
  idempotencyKey: string;
  offSession: boolean;
  createdAt: Date;
  completedAt: Date | null;
}

/** The callback types the sandbox sends: one per final state of a charge. */
export type SandboxEventType = 'charge.succeeded' | 'charge.failed' | 'charge.cancelled';

/** A callback body, shaped like a Stripe event about a charge (amount in minor units, currency lower-case). */
export interface SandboxEventPayload {
  id: string;
  object: 'event';
  type: SandboxEventType;
  /** Unix seconds. */
  created: number;
  data: {
    object: {
      id: string;
      object: 'charge';
      amount: number;
      currency: string;
      status: GatewayChargeStatus;
      description: string;
      failure_code: string | null;
      failure_message: string | null;
      metadata: { payment_id: string; organization_id: string };
    };
  };
}

/** The event that announces a charge's final state. */
export function chargeEvent(id: string, charge: SandboxCharge, at: Date): SandboxEventPayload {
  if (charge.status === 'pending') throw new Error(`Sandbox charge ${charge.id} is still pending: no event announces that`);
  return {
    id,
    object: 'event',
    type: `charge.${charge.status}`,
    created: Math.floor(at.getTime() / 1000),
    data: {
      object: {
        id: charge.id,
        object: 'charge',
        amount: charge.amountMinor,
        currency: charge.currency.toLowerCase(),
        status: charge.status,
        description: charge.description,
        failure_code: charge.failureCode,
        failure_message: charge.failureMessage,
        metadata: { payment_id: charge.paymentId, organization_id: charge.organizationId },
      },
    },
  };
}

import type { EntityManager } from 'typeorm';
import type { RequestContext } from '@atrium/platform';
import type { Quote } from '../plans/quote-token.js';

/**
 * The seam between payments (libs/billing/src/payments: money moving through a gateway) and plans
 * (libs/billing/src/plans: what the money buys). Payments prices a request through `PurchasePricer` and, when the
 * gateway reports success, applies it through `PurchaseActivator` in the same transaction that marks the payment
 * succeeded (exactly once). Plans implements both and calls payments to start a charge.
 */

export type PaymentType = 'package_upgrade' | 'feature_purchase' | 'renewal';

/** What a payment buys; stored on the payment (jsonb) and applied when it succeeds. Dates are ISO strings. */
export type Purchase =
  | {
      kind: 'package';
      packageId: number;
      period: string;
      customMonths?: number;
      /** The quote's single-use id (not its token). */
      quoteId: string;
      periodStart: string;
      periodEnd: string;
      /** From the quote: what the new period is worth and the credit given, so the subscription records the former. */
      listMinor: number;
      creditMinor: number;
      quoteExpiresAt: string;
    }
  | { kind: 'addon'; featureId: number; quantity: number; periodStart: string; periodEnd: string }
  | { kind: 'renewal'; packageId: number; period: string; customMonths?: number; periodStart: string; periodEnd: string };

/** One invoice line, in minor units. */
export interface PurchaseLine {
  description: string;
  quantity: number;
  unitMinor: number;
  totalMinor: number;
}

/** A purchase with its price, computed by the pricing module only. */
export interface PricedPurchase {
  paymentType: PaymentType;
  purchase: Purchase;
  amountMinor: number;
  currency: string;
  description: string;
  lines: PurchaseLine[];
  /** A package upgrade's verified quote: taken (single use) in the transaction that records the payment. Not stored. */
  quote?: Quote;
}

/** What `POST /payments` (or `PUT /organizations/me/package`, `POST /organizations/me/features`) asks to buy. */
export interface PurchaseRequest {
  paymentType: 'package_upgrade' | 'feature_purchase';
  packageId?: number;
  period?: string;
  customMonths?: number;
  quoteId?: string;
  featureId?: number;
  quantity?: number;
}

/** Prices a purchase request for the context's organization (plans implements it). Throws 4xx naming bad input. */
export abstract class PurchasePricer {
  abstract price(ctx: RequestContext, request: PurchaseRequest): Promise<PricedPurchase>;
}

/**
 * Applies a succeeded payment's purchase (plans implements it). Runs inside the transaction that moved the payment
 * from pending to succeeded, which happens once per payment, so the purchase is applied once.
 */
export abstract class PurchaseActivator {
  abstract activate(
    em: EntityManager,
    payment: { id: string; organizationId: string; purchase: Purchase; amountMinor: number; currency: string },
    at: Date,
  ): Promise<void>;
}

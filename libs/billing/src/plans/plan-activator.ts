import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PurchaseActivator, type Purchase } from '../payments/purchase.js';
import {
  OrganizationFeature,
  type OrganizationSubscription,
  type ScheduledChange,
} from '../subscriptions/organization-subscription.entity.js';
import { currentPlan, saveSubscription } from './current-plan.js';
import { loadPackage } from './plan-catalogue.js';
import { QuoteService } from './quote.service.js';

/** What a payment (or a change with nothing due) bought, as the subscription row records it. */
export interface PackagePeriod {
  packageId: number;
  period: string;
  customMonths?: number | null;
  periodStart: Date;
  periodEnd: Date;
  /** What the period is worth: cash paid plus any credit applied (its list price). */
  amountMinor: number;
  currency: string;
}

/**
 * Applies purchases to the organization's plan. Every method runs in the caller's transaction and locks the
 * subscription row first, so changes to one organization serialize; none needs a request context (renewal and
 * dunning jobs call them too). Entitlements are read from these rows on every check (no cache), so a change is in
 * force the moment its transaction commits.
 */
@Injectable()
export class PlanActivator extends PurchaseActivator {
  constructor(private readonly quotes: QuoteService) {
    super();
  }

  async activate(
    em: EntityManager,
    payment: { id: string; organizationId: string; purchase: Purchase; amountMinor: number; currency: string },
    at: Date,
  ): Promise<void> {
    const p = payment.purchase;
    switch (p.kind) {
      case 'package':
        await this.applyPackage(em, payment.organizationId, {
          packageId: p.packageId,
          period: p.period,
          customMonths: p.customMonths ?? null,
          periodStart: new Date(p.periodStart),
          periodEnd: new Date(p.periodEnd),
          amountMinor: p.listMinor,
          currency: payment.currency,
        });
        await this.quotes.keepUsedBy(em, payment, p, at);
        return;
      case 'addon':
        await currentPlan(em, payment.organizationId, true);
        await em.getRepository(OrganizationFeature).insert({
          organizationId: payment.organizationId,
          featureId: p.featureId,
          quantity: p.quantity,
          status: 'active',
          expiresAt: new Date(p.periodEnd),
          paymentId: payment.id,
        });
        return;
      case 'renewal':
        await this.applyPackage(em, payment.organizationId, {
          packageId: p.packageId,
          period: p.period,
          customMonths: p.customMonths ?? null,
          periodStart: new Date(p.periodStart),
          periodEnd: new Date(p.periodEnd),
          amountMinor: payment.amountMinor,
          currency: payment.currency,
        });
        return;
    }
  }

  /** The organization is on `next` from now on: active, its period and what it is worth recorded, no change pending. */
  async applyPackage(em: EntityManager, organizationId: string, next: PackagePeriod): Promise<void> {
    const { subscription: s } = await currentPlan(em, organizationId, true);
    const changed = s.packageId !== next.packageId;
    s.packageId = next.packageId;
    s.period = next.period;
    s.customMonths = next.customMonths ?? null;
    s.status = 'active';
    if (changed) s.startedAt = next.periodStart;
    s.currentPeriodStart = next.periodStart;
    s.currentPeriodEnd = next.periodEnd;
    s.amountMinor = next.amountMinor;
    s.currency = next.currency;
    s.scheduledChange = null;
    await saveSubscription(em, s);
  }

  /**
   * For the renewal job at period end: applies a scheduled downgrade whose time has come (`effectiveAt <= at`) and
   * returns it, or null when none is due. A move to the free package ends the paid period (no period, nothing paid,
   * auto-renew off). A move to a paid package sets the package and period only: the renewal that follows charges
   * it and records the new period through `activate` (`renewal`).
   */
  async applyScheduledChange(em: EntityManager, organizationId: string, at: Date): Promise<ScheduledChange | null> {
    const { subscription: s } = await currentPlan(em, organizationId, true);
    const change = s.scheduledChange;
    if (!change || new Date(change.effectiveAt) > at) return null;
    const { pkg: target } = await loadPackage(em, change.packageId);
    if (target.isDefault) {
      moveToFree(s, target.id, at);
    } else {
      s.packageId = target.id;
      s.startedAt = at;
      s.scheduledChange = null;
      s.period = change.period;
      s.customMonths = change.customMonths ?? null;
    }
    await saveSubscription(em, s);
    return change;
  }
}

/**
 * Ends the paid period: the organization is on the free package from `at`, active, with no period, nothing paid,
 * no change pending and auto-renew off (the saved card is kept). A scheduled move to Free and a lapsed renewal both
 * end this way.
 */
export function moveToFree(s: OrganizationSubscription, freePackageId: number, at: Date): void {
  if (s.packageId !== freePackageId) s.startedAt = at;
  s.packageId = freePackageId;
  s.status = 'active';
  s.period = null;
  s.customMonths = null;
  s.currentPeriodStart = null;
  s.currentPeriodEnd = null;
  s.amountMinor = 0;
  s.autoRenew = false;
  s.scheduledChange = null;
}

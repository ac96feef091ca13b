import type { EntityManager } from 'typeorm';
import { Package } from '../catalogue/package.entity.js';
import { OrganizationSubscription } from '../subscriptions/organization-subscription.entity.js';
import { type BillingPeriod, listPrice } from '../pricing/pricing.js';
import { loadPackage } from './plan-catalogue.js';

/** The organization's subscription with its package and what its current period is worth. */
export interface CurrentPlan {
  subscription: OrganizationSubscription;
  pkg: Package;
  /** Months of the current period; 0 on the free package. */
  months: number;
  /** The current paid period, when there is one (the credit of an upgrade comes from it). */
  paid: null | { amountMinor: number; start: Date; end: Date; currency: string };
}

/**
 * Reads the subscription (locked `FOR UPDATE` when `lock`, so changes to one organization's plan serialize). Every
 * organization has a row (made with it); a missing one is a broken invariant, not a user error.
 */
export async function currentPlan(em: EntityManager, organizationId: string, lock = false): Promise<CurrentPlan> {
  const subscription = await em.getRepository(OrganizationSubscription).findOne({
    where: { organizationId },
    ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
  });
  if (!subscription) throw new Error(`Organization ${organizationId} has no subscription row`);
  const { pkg, list } = await loadPackage(em, subscription.packageId);
  let months = 0;
  if (subscription.period && !pkg.isDefault) {
    try {
      months = listPrice(list, subscription.period as BillingPeriod, subscription.customMonths ?? undefined).months;
    } catch {
      months = 0;
    }
  }
  return { subscription, pkg, months, paid: paidPeriod(subscription, pkg) };
}

/** The subscription's current paid period (what an upgrade's credit comes from), or null when nothing is paid. */
export function paidPeriod(
  s: Pick<OrganizationSubscription, 'status' | 'currentPeriodStart' | 'currentPeriodEnd' | 'amountMinor' | 'currency'>,
  pkg: Pick<Package, 'isDefault'>,
): CurrentPlan['paid'] {
  return s.status === 'active' && !pkg.isDefault && s.currentPeriodStart && s.currentPeriodEnd && s.amountMinor > 0
    ? { amountMinor: s.amountMinor, start: s.currentPeriodStart, end: s.currentPeriodEnd, currency: s.currency }
    : null;
}

/** Saves a subscription read by `currentPlan` (in the same transaction). */
export async function saveSubscription(em: EntityManager, subscription: OrganizationSubscription): Promise<void> {
  await em.getRepository(OrganizationSubscription).save(subscription);
}

/** Moving to `target` for `months` is an upgrade: a package ranked higher, or the same one for a longer period. */
export function isUpgrade(current: CurrentPlan, target: Package, months: number): boolean {
  if (current.pkg.isDefault) return !target.isDefault;
  if (target.id === current.pkg.id) return months > current.months;
  return target.sortOrder > current.pkg.sortOrder;
}

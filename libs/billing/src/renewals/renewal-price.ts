import type { EntityManager } from 'typeorm';
import type { Package } from '../catalogue/package.entity.js';
import { loadPackage } from '../plans/plan-catalogue.js';
import { addMonths, type BillingPeriod, renewalCharge } from '../pricing/pricing.js';

/** What renewing a package for a period costs, from the pricing module. */
export interface RenewalPrice {
  pkg: Package;
  period: string;
  customMonths: number | null;
  months: number;
  amountMinor: number;
  currency: string;
}

export async function renewalPrice(
  em: EntityManager,
  on: { packageId: number; period: string; customMonths: number | null },
): Promise<RenewalPrice> {
  const { pkg, list } = await loadPackage(em, on.packageId);
  const { amountMinor, months } = renewalCharge(list, on.period as BillingPeriod, on.customMonths ?? undefined);
  return { pkg, period: on.period, customMonths: on.customMonths, months, amountMinor, currency: list.currency };
}

/**
 * The period after the one ending at `periodEnd`, counted from `anchor` (`addMonths(anchor, n × months)`, never from
 * the previous end, so a Jan 31 anchor gives Feb 29 then Mar 31). When `periodEnd` is not on the anchor's calendar
 * (a period bought some other way), the new period is counted from `periodEnd` itself, which becomes the anchor.
 */
export function nextPeriod(anchor: Date, periodEnd: Date, months: number): { anchor: Date; end: Date } {
  if (months > 0 && anchor < periodEnd) {
    for (let n = 1; n * months <= 1200; n++) {
      const end = addMonths(anchor, n * months);
      if (end.getTime() === periodEnd.getTime()) return { anchor, end: addMonths(anchor, (n + 1) * months) };
      if (end > periodEnd) break;
    }
  }
  return { anchor: periodEnd, end: addMonths(periodEnd, months) };
}

import { type EntityManager } from 'typeorm';
import { BillingError } from '../billing.errors.js';
import { Feature } from '../catalogue/feature.entity.js';
import { Package, PackagePrice } from '../catalogue/package.entity.js';
import { type BillingPeriod, listPrice, type PriceList } from '../pricing/pricing.js';

/** A package with its price list, as plans price it. */
export interface PricedPackage {
  pkg: Package;
  list: PriceList;
}

/** The package, or a 404 naming the id asked for. */
export async function loadPackage(em: EntityManager, packageId: number): Promise<PricedPackage> {
  const pkg =
    Number.isSafeInteger(packageId) && packageId > 0 ? await em.getRepository(Package).findOne({ where: { id: packageId } }) : null;
  if (!pkg) throw BillingError.package_not_found(`Package ${packageId} not found`, { package_id: packageId });
  const prices = await em.getRepository(PackagePrice).find({ where: { packageId }, order: { months: 'ASC' } });
  return {
    pkg,
    list: { currency: pkg.currency, prices: prices.map((p) => ({ period: p.period, months: p.months, amountMinor: p.amountCents })) },
  };
}

/** A package that can be bought: active and not the free default. */
export async function loadPurchasablePackage(em: EntityManager, packageId: number): Promise<PricedPackage> {
  const priced = await loadPackage(em, packageId);
  if (!priced.pkg.active) {
    throw BillingError.package_not_purchasable(`package_id: package ${packageId} (${priced.pkg.slug}) is retired`, { field: 'package_id' });
  }
  if (priced.pkg.isDefault) {
    throw BillingError.package_not_purchasable(`package_id: ${priced.pkg.name} is the free package; nothing to buy`, {
      field: 'package_id',
    });
  }
  return priced;
}

/** The list price of a period, or a 400 naming the field that is wrong. */
export function priceOf(priced: PricedPackage, period: string, customMonths?: number): { amountMinor: number; months: number } {
  try {
    return listPrice(priced.list, period as BillingPeriod, customMonths);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const field = period === 'custom' || customMonths !== undefined ? 'custom_months' : 'period';
    throw BillingError.period_invalid(`${field}: ${err.message}`, { field, period, custom_months: customMonths ?? null });
  }
}

/** The feature, or a 404 naming the id asked for. */
export async function loadFeature(em: EntityManager, featureId: number): Promise<Feature> {
  const feature =
    Number.isSafeInteger(featureId) && featureId > 0 ? await em.getRepository(Feature).findOne({ where: { id: featureId } }) : null;
  if (!feature) throw BillingError.feature_not_found(`Feature ${featureId} not found`, { feature_id: featureId });
  return feature;
}

import { type DataSource, type EntityManager } from 'typeorm';
import { BillingError } from '../billing.errors.js';
import { Feature } from '../catalogue/feature.entity.js';
import { Package, PackagePrice } from '../catalogue/package.entity.js';
import { type BillingPeriod, listPrice, type PriceList } from '../pricing/pricing.js';

/** A package with its price list, as plans price it. */
export interface PricedPackage {
  readonly pkg: Readonly<Package>;
  readonly list: PriceList;
}

/**
 * The package catalogue as plans read it: packages with their price lists, and features. Migrations seed it and are
 * the only thing that changes it, so each process reads it once per DataSource (on first use, through the caller's
 * manager, so a caller inside a transaction never waits for a second connection) and keeps it. The objects are
 * frozen: every caller shares them.
 */
export class PlanCatalogue {
  private static readonly loaded = new WeakMap<DataSource, Promise<PlanCatalogue>>();

  private constructor(
    private readonly packages: ReadonlyMap<number, PricedPackage>,
    private readonly features: ReadonlyMap<number, Readonly<Feature>>,
  ) {}

  /** The catalogue of `em`'s DataSource, read on the first call (a failed read is retried by the next call). */
  static of(em: EntityManager): Promise<PlanCatalogue> {
    const ds = em.connection;
    let catalogue = PlanCatalogue.loaded.get(ds);
    if (!catalogue) {
      catalogue = PlanCatalogue.read(em);
      PlanCatalogue.loaded.set(ds, catalogue);
      catalogue.catch(() => PlanCatalogue.loaded.delete(ds));
    }
    return catalogue;
  }

  private static async read(em: EntityManager): Promise<PlanCatalogue> {
    const packages = await em.getRepository(Package).find();
    const prices = await em.getRepository(PackagePrice).find({ order: { months: 'ASC' } });
    const features = await em.getRepository(Feature).find();
    const priced = new Map<number, PricedPackage>();
    for (const pkg of packages) {
      const list: PriceList = {
        currency: pkg.currency,
        prices: prices
          .filter((p) => p.packageId === pkg.id)
          .map((p) => Object.freeze({ period: p.period, months: p.months, amountMinor: p.amountCents })),
      };
      Object.freeze(list.prices);
      priced.set(pkg.id, Object.freeze({ pkg: Object.freeze(pkg), list: Object.freeze(list) }));
    }
    return new PlanCatalogue(priced, new Map(features.map((f) => [f.id, Object.freeze(f)])));
  }

  /** The package (retired ones too), or a 404 naming the id asked for. */
  package(packageId: number): PricedPackage {
    const priced = this.packages.get(packageId);
    if (!priced) throw BillingError.package_not_found(`Package ${packageId} not found`, { package_id: packageId });
    return priced;
  }

  /** The free package every organization falls back to (the catalogue's default). */
  free(): PricedPackage {
    const priced = [...this.packages.values()].find((p) => p.pkg.isDefault);
    if (!priced) throw new Error('The package catalogue has no default (free) package');
    return priced;
  }

  /** A package that can be bought: active and not the free default. */
  purchasable(packageId: number): PricedPackage {
    const priced = this.package(packageId);
    if (!priced.pkg.active) {
      throw BillingError.package_not_purchasable(`package_id: package ${packageId} (${priced.pkg.slug}) is retired`, {
        field: 'package_id',
      });
    }
    if (priced.pkg.isDefault) {
      throw BillingError.package_not_purchasable(`package_id: ${priced.pkg.name} is the free package; nothing to buy`, {
        field: 'package_id',
      });
    }
    return priced;
  }

  /** The feature, or a 404 naming the id asked for. */
  feature(featureId: number): Readonly<Feature> {
    const feature = this.features.get(featureId);
    if (!feature) throw BillingError.feature_not_found(`Feature ${featureId} not found`, { feature_id: featureId });
    return feature;
  }
}

/** The package, or a 404 naming the id asked for. */
export async function loadPackage(em: EntityManager, packageId: number): Promise<PricedPackage> {
  return (await PlanCatalogue.of(em)).package(packageId);
}

/** A package that can be bought: active and not the free default. */
export async function loadPurchasablePackage(em: EntityManager, packageId: number): Promise<PricedPackage> {
  return (await PlanCatalogue.of(em)).purchasable(packageId);
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
export async function loadFeature(em: EntityManager, featureId: number): Promise<Readonly<Feature>> {
  return (await PlanCatalogue.of(em)).feature(featureId);
}

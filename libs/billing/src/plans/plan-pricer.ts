import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, PlatformError, type RequestContext } from '@atrium/platform';
import { BillingError } from '../billing.errors.js';
import { PackageEntitlements } from '../entitlements/package-entitlements.js';
import { addMonths, addonCharge } from '../pricing/pricing.js';
import { type PricedPurchase, PurchasePricer, type PurchaseRequest } from '../payments/purchase.js';
import { currentPlan, isUpgrade } from './current-plan.js';
import { loadFeature, loadPurchasablePackage, priceOf } from './plan-catalogue.js';
import type { Quote } from './quote-token.js';
import { QuoteService } from './quote.service.js';

/** Prices what a payment buys, through the pricing module only (the quote for packages, proration for add-ons). */
@Injectable()
export class PlanPricer extends PurchasePricer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly quotes: QuoteService,
    private readonly entitlements: PackageEntitlements,
    private readonly clock: Clock,
  ) {
    super();
  }

  async price(ctx: RequestContext, request: PurchaseRequest, em: EntityManager = this.dataSource.manager): Promise<PricedPurchase> {
    if (request.paymentType === 'package_upgrade') {
      const { packageId, period } = required(request, 'package_id', 'period');
      return this.priceUpgrade(ctx, { packageId, period, customMonths: request.customMonths, quoteId: request.quoteId }, em);
    }
    const { featureId } = required(request, 'feature_id');
    return this.priceAddon(ctx, featureId, request.quantity ?? 1, em);
  }

  /**
   * An upgrade priced by its quote (the one given, if still usable, else a fresh one), which the result carries for
   * the caller to take in its transaction. Not an upgrade → 409.
   */
  async priceUpgrade(
    ctx: RequestContext,
    r: { packageId: number; period: string; customMonths?: number; quoteId?: string },
    em: EntityManager = this.dataSource.manager,
  ): Promise<PricedPurchase & { quote: Quote }> {
    const target = await loadPurchasablePackage(em, r.packageId);
    const { months } = priceOf(target, r.period, r.customMonths);
    const current = await currentPlan(em, ctx.requireOrganizationId());
    if (!isUpgrade(current, target.pkg, months)) {
      throw BillingError.not_an_upgrade(
        `${target.pkg.name} for ${months} months is not an upgrade of ${current.pkg.name}` +
          (current.months ? ` for ${current.months} months` : '') +
          '; a lower package or shorter period is scheduled for the end of the period with PUT /organizations/me/package',
      );
    }
    const quote = r.quoteId ? await this.quotes.usable(ctx, r.quoteId, r) : await this.quotes.create(ctx, r);
    return upgradePurchase(target.pkg.name, quote, months);
  }

  /** An add-on prorated by the second from now to the end of the current period (Free: one month from now). */
  async priceAddon(
    ctx: RequestContext,
    featureId: number,
    quantity: number,
    em: EntityManager = this.dataSource.manager,
  ): Promise<PricedPurchase> {
    const organizationId = ctx.requireOrganizationId();
    const feature = await loadFeature(em, featureId);
    if (feature.addonMonthlyCents === null) {
      throw BillingError.feature_not_purchasable(`feature_id: ${feature.name} is not sold as an add-on`, { field: 'feature_id' });
    }
    if (feature.kind === 'flag' && quantity !== 1) {
      throw PlatformError.validation_failed(`quantity: ${feature.name} is a feature, bought once (quantity 1)`, [
        { field: 'quantity', problems: ['must be 1 for a feature that is not a limit'] },
      ]);
    }
    const have = (await this.entitlements.snapshot(organizationId, em)).get(feature.key);
    if ((feature.kind === 'flag' && have.included) || (feature.kind === 'limit' && have.limit === null)) {
      throw BillingError.feature_already_included(
        feature.kind === 'flag'
          ? `${feature.name} is already included (by the package or an active add-on)`
          : `${feature.name} is already unlimited on this package`,
        { feature_id: feature.id, feature: feature.key },
      );
    }
    const current = await currentPlan(em, organizationId);
    const from = this.clock.now();
    const periodEnd = current.subscription.currentPeriodEnd;
    const to = !current.pkg.isDefault && periodEnd && periodEnd > from ? periodEnd : addMonths(from, 1);
    const amountMinor = addonCharge({ monthlyMinor: feature.addonMonthlyCents, quantity, from, to });
    const what =
      feature.kind === 'limit'
        ? `${feature.name} add-on × ${quantity} (+${(feature.addonUnit ?? 0) * quantity} ${feature.unit ?? ''})`
        : `${feature.name} add-on`;
    const description = `${what.trim()} until ${to.toISOString().slice(0, 10)}`;
    return {
      paymentType: 'feature_purchase',
      purchase: { kind: 'addon', featureId: feature.id, quantity, periodStart: from.toISOString(), periodEnd: to.toISOString() },
      amountMinor,
      currency: current.pkg.currency,
      description,
      lines: [{ description, quantity: 1, unitMinor: amountMinor, totalMinor: amountMinor }],
    };
  }
}

/** The purchase a quote describes: the new package's list price, less the credit (never below 0), as the quote says. */
export function upgradePurchase(packageName: string, quote: Quote, months: number): PricedPurchase & { quote: Quote } {
  const end = quote.periodEnd.toISOString().slice(0, 10);
  const description = `${packageName} package, ${months} month${months === 1 ? '' : 's'} (${quote.periodStart.toISOString().slice(0, 10)} to ${end})`;
  const credit = Math.min(quote.creditMinor, quote.listMinor);
  return {
    paymentType: 'package_upgrade',
    purchase: {
      kind: 'package',
      packageId: quote.packageId,
      period: quote.period,
      ...(quote.customMonths ? { customMonths: quote.customMonths } : {}),
      quoteId: quote.id,
      periodStart: quote.periodStart.toISOString(),
      periodEnd: quote.periodEnd.toISOString(),
      listMinor: quote.listMinor,
      creditMinor: quote.creditMinor,
      quoteExpiresAt: quote.expiresAt.toISOString(),
    },
    amountMinor: quote.dueMinor,
    currency: quote.currency,
    description,
    lines: [
      { description, quantity: 1, unitMinor: quote.listMinor, totalMinor: quote.listMinor },
      ...(credit > 0
        ? [{ description: 'Credit for the unused part of the current period', quantity: 1, unitMinor: -credit, totalMinor: -credit }]
        : []),
    ],
    quote,
  };
}

function required<K extends 'package_id' | 'period' | 'feature_id'>(
  r: PurchaseRequest,
  ...fields: K[]
): { packageId: number; period: string; featureId: number } {
  const value = { package_id: r.packageId, period: r.period, feature_id: r.featureId };
  const missing = fields.filter((f) => value[f] === undefined || value[f] === null);
  if (missing.length) {
    throw PlatformError.validation_failed(
      missing.map((f) => `${f} is required for ${r.paymentType}`).join('; '),
      missing.map((field) => ({ field, problems: [`${field} is required for ${r.paymentType}`] })),
    );
  }
  return { packageId: r.packageId!, period: r.period!, featureId: r.featureId! };
}

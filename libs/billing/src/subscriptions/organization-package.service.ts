import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, type RequestContext, TenantRepository, UsageRegistry } from '@atrium/platform';
import { PackageCatalogueService } from '../catalogue/package-catalogue.service.js';
import { PackageEntitlements } from '../entitlements/package-entitlements.js';
import { loadPackage } from '../plans/plan-catalogue.js';
import type { EntitlementDto, OrganizationPackageDto, SubscriptionDto } from './dto/organization-package.dto.js';
import { OrganizationFeature, OrganizationSubscription } from './organization-subscription.entity.js';

/** The current organization's package, subscription, add-ons and entitlements with usage. */
@Injectable()
export class OrganizationPackageService {
  private readonly subscriptions: TenantRepository<OrganizationSubscription>;
  private readonly addons: TenantRepository<OrganizationFeature>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly catalogue: PackageCatalogueService,
    private readonly entitlements: PackageEntitlements,
    private readonly usage: UsageRegistry,
    private readonly clock: Clock,
  ) {
    this.subscriptions = TenantRepository.for(dataSource, OrganizationSubscription, 'Subscription');
    this.addons = TenantRepository.for(dataSource, OrganizationFeature, 'Add-on');
  }

  /** From the catalogue in memory (no query): the package a scheduled change moves to is one of the catalogue's. */
  private async scheduledPackageSlug(s: OrganizationSubscription | null): Promise<string | null> {
    if (!s?.scheduledChange) return null;
    return (await loadPackage(this.dataSource.manager, s.scheduledChange.packageId)).pkg.slug;
  }

  async current(ctx: RequestContext): Promise<OrganizationPackageDto> {
    const snapshot = await this.entitlements.snapshot(ctx.requireOrganizationId());
    const [pkg, subscription, addons] = await Promise.all([
      this.catalogue.get(snapshot.pkg.id),
      this.subscriptions.findOne(ctx, {}),
      this.addons.find(ctx, { where: { status: 'active' }, order: { createdAt: 'ASC' } }),
    ]);
    const entitlements: EntitlementDto[] = [];
    for (const f of snapshot.features.values()) {
      const used = f.kind === 'limit' ? await this.usage.measure(f.key, ctx, this.dataSource.manager) : null;
      entitlements.push({ key: f.key, name: f.name, kind: f.kind, unit: f.unit, included: f.included, limit: f.limit, used });
    }
    const byId = new Map([...snapshot.features.values()].map((f) => [f.id, f.key]));
    const now = this.clock.now();
    return {
      package: pkg,
      subscription: subscriptionView(subscription, await this.scheduledPackageSlug(subscription)),
      addons: addons
        .filter((a) => !a.expiresAt || a.expiresAt > now)
        .map((a) => ({
          id: a.id,
          feature_id: a.featureId,
          feature_key: byId.get(a.featureId) ?? '',
          quantity: a.quantity,
          expires_at: a.expiresAt?.toISOString() ?? null,
          cancel_at: a.cancelAt?.toISOString() ?? null,
        })),
      entitlements,
    };
  }
}

/** An organization without a subscription row (none should remain after the migration) is on the default package. */
function subscriptionView(s: OrganizationSubscription | null, scheduledSlug: string | null): SubscriptionDto {
  if (!s) {
    return {
      status: 'active',
      period: null,
      custom_months: null,
      started_at: new Date().toISOString(),
      current_period_start: null,
      current_period_end: null,
      amount_minor: 0,
      currency: 'USD',
      auto_renew: false,
      payment_method: null,
      scheduled_change: null,
    };
  }
  const change = s.scheduledChange;
  return {
    status: s.status,
    period: s.period,
    custom_months: s.customMonths,
    started_at: s.startedAt.toISOString(),
    current_period_start: s.currentPeriodStart?.toISOString() ?? null,
    current_period_end: s.currentPeriodEnd?.toISOString() ?? null,
    amount_minor: s.amountMinor,
    currency: s.currency,
    auto_renew: s.autoRenew,
    payment_method: s.paymentMethodGateway
      ? { gateway: s.paymentMethodGateway, brand: s.paymentMethodBrand, last4: s.paymentMethodLast4 }
      : null,
    scheduled_change: change
      ? { package_id: change.packageId, package_slug: scheduledSlug ?? '', period: change.period, effective_at: change.effectiveAt }
      : null,
  };
}

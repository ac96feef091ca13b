import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type RequestContext, TenantRepository, UsageRegistry } from '@atrium/platform';
import { PackageCatalogueService } from '../catalogue/package-catalogue.service.js';
import { PackageEntitlements } from '../entitlements/package-entitlements.js';
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
  ) {
    this.subscriptions = TenantRepository.for(dataSource, OrganizationSubscription, 'Subscription');
    this.addons = TenantRepository.for(dataSource, OrganizationFeature, 'Add-on');
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
    return {
      package: pkg,
      subscription: subscriptionView(subscription),
      addons: addons
        .filter((a) => !a.expiresAt || a.expiresAt > new Date())
        .map((a) => ({
          id: a.id,
          feature_id: a.featureId,
          feature_key: byId.get(a.featureId) ?? '',
          quantity: a.quantity,
          expires_at: a.expiresAt?.toISOString() ?? null,
        })),
      entitlements,
    };
  }
}

/** An organization without a subscription row (none should remain after the migration) is on the default package. */
function subscriptionView(s: OrganizationSubscription | null): SubscriptionDto {
  if (!s) return { status: 'active', period: null, started_at: new Date().toISOString(), current_period_end: null, auto_renew: false };
  return {
    status: s.status,
    period: s.period,
    started_at: s.startedAt.toISOString(),
    current_period_end: s.currentPeriodEnd?.toISOString() ?? null,
    auto_renew: s.autoRenew,
  };
}

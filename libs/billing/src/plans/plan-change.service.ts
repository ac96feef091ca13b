import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { Clock, PlatformError, type RequestContext, UsageRegistry } from '@atrium/platform';
import { BillingError } from '../billing.errors.js';
import { PaymentService, type StartedPayment } from '../payments/payment.service.js';
import { type CurrentPlan, currentPlan, isUpgrade, saveSubscription } from './current-plan.js';
import { PlanActivator } from './plan-activator.js';
import { loadPackage, priceOf, type PricedPackage } from './plan-catalogue.js';
import { PlanPricer } from './plan-pricer.js';
import { QuoteService } from './quote.service.js';

export interface PackageChangeRequest {
  packageId: number;
  period?: string;
  customMonths?: number;
  quoteId?: string;
  gateway?: string;
}

/** What `PUT /organizations/me/package` did: a payment to complete, or a change made (at once or scheduled). */
export type PackageChangeResult = { kind: 'payment'; started: StartedPayment } | { kind: 'changed' };

interface LimitRow {
  key: string;
  in_package: boolean;
  limit_value: string | null;
  addon_unit: string | null;
  addon_quantity: number;
}

/**
 * Moving between packages. An upgrade with an amount due goes through a payment (the package changes when it
 * succeeds); one a credit covers applies at once; a downgrade waits for the period end as `scheduled_change`
 * (choosing the current package again cancels it) and is refused while usage exceeds what the target allows.
 */
@Injectable()
export class PlanChangeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly pricer: PlanPricer,
    private readonly quotes: QuoteService,
    private readonly activator: PlanActivator,
    private readonly payments: PaymentService,
    private readonly usage: UsageRegistry,
    private readonly audit: AuditWriter,
    private readonly clock: Clock,
  ) {}

  async change(ctx: RequestContext, r: PackageChangeRequest): Promise<PackageChangeResult> {
    const organizationId = ctx.requireOrganizationId();
    const target = await loadPackage(this.dataSource.manager, r.packageId);
    const current = await currentPlan(this.dataSource.manager, organizationId);
    if (
      target.pkg.id === current.pkg.id &&
      (target.pkg.isDefault || (r.period === current.subscription.period && sameCustom(r, current)))
    ) {
      await this.keepCurrent(ctx);
      return { kind: 'changed' };
    }
    if (!target.pkg.isDefault && !target.pkg.active) {
      throw BillingError.package_not_purchasable(`package_id: package ${target.pkg.id} (${target.pkg.slug}) is retired`, {
        field: 'package_id',
      });
    }
    if (!target.pkg.isDefault && !r.period) {
      throw PlatformError.validation_failed('period is required for a paid package', [
        { field: 'period', problems: ['period is required for a paid package'] },
      ]);
    }
    const months = target.pkg.isDefault ? 0 : priceOf(target, r.period!, r.customMonths).months;
    if (isUpgrade(current, target.pkg, months))
      return this.upgrade(ctx, r as Required<Pick<PackageChangeRequest, 'period'>> & PackageChangeRequest);
    await this.scheduleDowngrade(ctx, target, r);
    return { kind: 'changed' };
  }

  private async upgrade(ctx: RequestContext, r: PackageChangeRequest & { period: string }): Promise<PackageChangeResult> {
    const priced = await this.pricer.priceUpgrade(ctx, r);
    if (priced.amountMinor > 0) return { kind: 'payment', started: await this.payments.start(ctx, r.gateway ?? 'sandbox', priced) };
    const { quote } = priced;
    await this.dataSource.transaction(async (em) => {
      // Locked for update: the package changes next in this transaction.
      await this.quotes.markUsed(em, quote, { paymentId: null, lock: 'update' });
      await this.activator.applyPackage(em, ctx.requireOrganizationId(), {
        packageId: quote.packageId,
        period: quote.period,
        customMonths: quote.customMonths,
        periodStart: quote.periodStart,
        periodEnd: quote.periodEnd,
        amountMinor: quote.listMinor,
        currency: quote.currency,
      });
      await this.audit.record(em, ctx, {
        action: 'package.changed',
        resourceType: 'subscription',
        target: (await loadPackage(em, quote.packageId)).pkg.name,
        after: { package_id: quote.packageId, period: quote.period, period_end: quote.periodEnd },
        metadata: { quote_id: quote.id, credit_minor: quote.creditMinor, list_minor: quote.listMinor, due_minor: 0 },
      });
    });
    return { kind: 'changed' };
  }

  /** Choosing the current package (and period) again: a scheduled change is cancelled; otherwise nothing changes. */
  private async keepCurrent(ctx: RequestContext): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const { subscription, pkg } = await currentPlan(em, ctx.requireOrganizationId(), true);
      if (!subscription.scheduledChange) return;
      const before = subscription.scheduledChange;
      subscription.scheduledChange = null;
      await saveSubscription(em, subscription);
      await this.audit.record(em, ctx, {
        action: 'package.change_cancelled',
        resourceType: 'subscription',
        target: pkg.name,
        before: { scheduled_change: before },
      });
    });
  }

  private async scheduleDowngrade(ctx: RequestContext, target: PricedPackage, r: PackageChangeRequest): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const current = await currentPlan(em, ctx.requireOrganizationId(), true);
      const effectiveAt = current.subscription.currentPeriodEnd ?? this.clock.now();
      await this.assertFits(em, ctx, target, effectiveAt);
      const change = {
        packageId: target.pkg.id,
        period: target.pkg.isDefault ? null : r.period!,
        ...(r.period === 'custom' && r.customMonths ? { customMonths: r.customMonths } : {}),
        effectiveAt: effectiveAt.toISOString(),
      };
      current.subscription.scheduledChange = change;
      await saveSubscription(em, current.subscription);
      await this.audit.record(em, ctx, {
        action: 'package.change_scheduled',
        resourceType: 'subscription',
        target: target.pkg.name,
        after: { scheduled_change: change },
        metadata: { from_package_id: current.pkg.id },
      });
    });
  }

  /**
   * 409 `usage_exceeds_limits` with `{resource, used, limit}` for each limit of the target that usage exceeds; add-ons
   * count when they continue past `effectiveAt` (not stopped, no end or one after it), as they will when the change applies.
   */
  private async assertFits(em: EntityManager, ctx: RequestContext, target: PricedPackage, effectiveAt: Date): Promise<void> {
    const rows = await em.query<LimitRow[]>(
      `SELECT f.key, pf.feature_id IS NOT NULL AS in_package, pf.limit_value::text AS limit_value, f.addon_unit::text AS addon_unit,
              COALESCE((SELECT sum(a.quantity) FROM organization_features a
                         WHERE a.organization_id = $1 AND a.feature_id = f.id AND a.status = 'active' AND a.cancel_at IS NULL
                           AND (a.expires_at IS NULL OR a.expires_at > $3)), 0)::int AS addon_quantity
         FROM features f LEFT JOIN package_features pf ON pf.package_id = $2 AND pf.feature_id = f.id
        WHERE f.kind = 'limit' ORDER BY f.sort_order`,
      [ctx.requireOrganizationId(), target.pkg.id, effectiveAt],
    );
    const over: Array<{ resource: string; used: number; limit: number }> = [];
    for (const row of rows) {
      const base = row.in_package ? (row.limit_value === null ? null : Number(row.limit_value)) : 0;
      if (base === null) continue;
      const limit = base + row.addon_quantity * Number(row.addon_unit ?? 0);
      const used = await this.usage.measure(row.key, ctx, em);
      if (used > limit) over.push({ resource: row.key, used, limit });
    }
    if (over.length) {
      throw BillingError.usage_exceeds_limits(
        `The organization uses more than ${target.pkg.name} allows: ${over.map((o) => `${o.resource} ${o.used} of ${o.limit}`).join(', ')}`,
        over,
      );
    }
  }
}

const sameCustom = (r: PackageChangeRequest, current: CurrentPlan) =>
  r.period !== 'custom' || (r.customMonths ?? null) === current.subscription.customMonths;

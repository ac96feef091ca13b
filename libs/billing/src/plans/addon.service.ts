import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { Clock, type RequestContext, TenantRepository } from '@atrium/platform';
import { BillingError } from '../billing.errors.js';
import { PaymentService, type StartedPayment } from '../payments/payment.service.js';
import { OrganizationFeature } from '../subscriptions/organization-subscription.entity.js';
import { currentPlan } from './current-plan.js';
import { PlanCatalogue } from './plan-catalogue.js';
import { PlanPricer } from './plan-pricer.js';

/** Buying add-ons (prorated to the period end, through a payment) and stopping them at the period end. */
@Injectable()
export class AddonService {
  private readonly addons: TenantRepository<OrganizationFeature>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly pricer: PlanPricer,
    private readonly payments: PaymentService,
    private readonly audit: AuditWriter,
    private readonly clock: Clock,
  ) {
    this.addons = TenantRepository.for(dataSource, OrganizationFeature, 'Add-on');
  }

  /** Prices the add-on and starts its payment; the add-on is active the moment the payment succeeds. */
  async buy(ctx: RequestContext, r: { featureId: number; quantity?: number; gateway?: string }): Promise<StartedPayment> {
    const priced = await this.pricer.priceAddon(ctx, r.featureId, r.quantity ?? 1);
    return this.payments.start(ctx, r.gateway ?? 'sandbox', priced);
  }

  /**
   * Stops the add-on at the end of its paid period (`cancel_at`): it stays active and counted until then and is not
   * renewed. One with no end of its own stops at the subscription's period end, or now on the free package.
   */
  async stop(ctx: RequestContext, id: string): Promise<OrganizationFeature> {
    return this.dataSource.transaction(async (em) => {
      const repo = this.addons.with(em);
      const addon = await repo.getById(ctx, id);
      if (addon.cancelAt || addon.status !== 'active') throw BillingError.addon_already_cancelled();
      const now = this.clock.now();
      const { subscription } = await currentPlan(em, ctx.requireOrganizationId(), true);
      const end = addon.expiresAt ?? subscription.currentPeriodEnd ?? now;
      addon.cancelAt = end > now ? end : now;
      addon.expiresAt = addon.cancelAt;
      if (addon.cancelAt <= now) addon.status = 'cancelled';
      const saved = await repo.save(ctx, addon);
      await this.audit.record(em, ctx, {
        action: 'addon.cancelled',
        resourceType: 'addon',
        resourceId: addon.id,
        target: (await PlanCatalogue.of(em)).feature(addon.featureId).name,
        after: { feature_id: addon.featureId, quantity: addon.quantity, cancel_at: addon.cancelAt },
      });
      return saved;
    });
  }
}

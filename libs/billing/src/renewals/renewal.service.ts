import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AcrossTenants, Clock, DomainError } from '@atrium/platform';
import { BillingConfig } from '../billing.config.js';
import type { PricedPurchase } from '../payments/purchase.js';
import { PaymentService } from '../payments/payment.service.js';
import { currentPlan } from '../plans/current-plan.js';
import { PlanActivator } from '../plans/plan-activator.js';
import { type RenewalCharge, RenewalOutcomes, requestIdOf } from './renewal-outcomes.js';
import { RenewalNotices } from './renewal-notices.js';
import { nextPeriod, renewalPrice } from './renewal-price.js';
import { type RenewalRow, RenewalRows } from './renewal-rows.js';

/** How long a claimed row stays with its worker before another may take it over (the worker is presumed dead). */
const CLAIM_LEASE_MS = 10 * 60 * 1000;

/** What one scan did. `errors`: organizations whose step failed before an outcome (retried by the next scan). */
export interface RenewalScanResult {
  addonsLapsed: number;
  notices: number;
  renewed: number;
  failed: number;
  lapsed: number;
  ended: number;
  superseded: number;
  errors: Array<{ organizationId: string; renewalId: string; message: string }>;
}

type StepOutcome = 'renewed' | 'failed' | 'lapsed' | 'ended' | 'superseded';

/** A claimed row that needs a charge: what to charge and what it buys. */
interface ChargePlan {
  charge: RenewalCharge;
  priced: PricedPurchase;
}

/**
 * Renewals and dunning. `runDue` is the scan the queue's job scheduler runs every minute (and tests call directly):
 * add-ons whose period ended lapse; "upcoming renewal" notices go out; every due period end is renewed (a due
 * scheduled change applied first), retried while past due, or moved to Free. Each step claims its row, so two
 * workers or a re-delivered job do each thing once; the gateway charge also carries the idempotency key
 * `renewal:<org>:<period end ISO>:<attempt>`.
 */
@Injectable()
export class RenewalService {
  private readonly logger = new Logger(RenewalService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: BillingConfig,
    private readonly clock: Clock,
    private readonly rows: RenewalRows,
    private readonly notices: RenewalNotices,
    private readonly outcomes: RenewalOutcomes,
    private readonly payments: PaymentService,
    private readonly activator: PlanActivator,
  ) {}

  /** One scan at `at` (the clock's now). */
  @AcrossTenants()
  async runDue(at: Date = this.clock.now()): Promise<RenewalScanResult> {
    const result: RenewalScanResult = {
      addonsLapsed: await this.outcomes.lapseAddons(at),
      notices: 0,
      renewed: 0,
      failed: 0,
      lapsed: 0,
      ended: 0,
      superseded: 0,
      errors: [],
    };
    await this.rows.ensure(at, this.config.renewal.noticeDays);
    result.notices = await this.notices.sendDue(at);
    for (const row of await this.rows.due(at)) {
      try {
        const outcome = await this.step(row.id, at);
        if (outcome) result[outcome]++;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.logger.warn(
          { renewalId: row.id, organizationId: row.organizationId, err: message },
          'Renewal step failed; the next scan retries it',
        );
        result.errors.push({ organizationId: row.organizationId, renewalId: row.id, message });
      }
    }
    return result;
  }

  /** Claims the row and takes its next step; null when another worker has it. */
  private async step(id: string, at: Date): Promise<StepOutcome | null> {
    const row = await this.rows.claim(id, at, new Date(at.getTime() + (this.config.renewal.claimLeaseMs ?? CLAIM_LEASE_MS)));
    if (!row) return null;
    let plan: ChargePlan | StepOutcome;
    try {
      plan = await this.dataSource.transaction((em) => this.prepare(em, row, at));
    } catch (err) {
      await this.rows.release(row.id, at);
      throw err;
    }
    if (typeof plan === 'string') return plan;

    const attempt = row.attempts + 1;
    let charged: Awaited<ReturnType<PaymentService['chargeSaved']>>;
    try {
      charged = await this.payments.chargeSaved(row.organizationId, plan.priced, {
        requestId: requestIdOf(row, attempt),
        idempotencyKey: `renewal:${row.organizationId}:${row.periodEnd.toISOString()}:${attempt}`,
      });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'payment_method_required') {
        await this.outcomes.failed(row, plan.charge, { paymentId: null, code: 'payment_method_required', message: err.message }, at);
        return 'failed';
      }
      // The gateway could not be reached: not a decline. The row is due again and the next scan tries once more.
      await this.rows.release(row.id, at);
      throw err;
    }
    const { payment } = charged;
    if (payment.status === 'succeeded') {
      await this.outcomes.renewed(row, plan.charge, payment.id);
      return 'renewed';
    }
    await this.outcomes.failed(
      row,
      plan.charge,
      { paymentId: payment.id, code: payment.failureCode ?? `payment_${payment.status}`, message: payment.failureMessage ?? null },
      at,
    );
    return 'failed';
  }

  /**
   * Under the subscription's lock: decides what the claimed row's step is. Ends it when the period moved on (an
   * upgrade, or a renewal that succeeded before its row was marked), applies a due scheduled change, ends the package
   * with auto-renew off or after the last retry, and otherwise prices the renewal and records what it buys.
   */
  private async prepare(em: EntityManager, row: RenewalRow, at: Date): Promise<ChargePlan | StepOutcome> {
    const { subscription: s, pkg } = await currentPlan(em, row.organizationId, true);
    if (s.currentPeriodEnd?.getTime() !== row.periodEnd.getTime() || pkg.isDefault || s.status === 'cancelled') {
      const paid = await this.rows.succeededPayment(em, row.organizationId, row.periodEnd);
      if (paid && row.renewedUntil && s.currentPeriodEnd?.getTime() === row.renewedUntil.getTime()) {
        const price = { packageId: pkg.id, packageName: pkg.name, amountMinor: Number(paid.amount_minor), currency: paid.currency };
        await this.outcomes.renewed(row, { ...price, renewedUntil: row.renewedUntil }, paid.id, em);
        return 'renewed';
      }
      await this.rows.finish(em, row.id, { status: 'superseded' });
      return 'superseded';
    }
    const change = await this.activator.applyScheduledChange(em, row.organizationId, at);
    if (change && !change.period) {
      return (await this.outcomes.end(em, row, 'scheduled_change', at)) ? 'ended' : 'superseded';
    }
    const { subscription: now } = await currentPlan(em, row.organizationId, true);
    if (!now.autoRenew) return (await this.outcomes.end(em, row, 'auto_renew_off', at)) ? 'ended' : 'superseded';
    if (row.attempts > this.config.renewal.retryDays.length) {
      return (await this.outcomes.end(em, row, 'payment_failed', at)) ? 'lapsed' : 'superseded';
    }
    const price = await renewalPrice(em, { packageId: now.packageId, period: now.period!, customMonths: now.customMonths });
    const anchor = change
      ? row.periodEnd
      : (row.anchorAt ?? (await this.rows.anchorOf(em, row.organizationId, row.periodEnd)) ?? now.currentPeriodStart ?? row.periodEnd);
    const next = nextPeriod(anchor, row.periodEnd, price.months);
    await this.rows.plan(em, row.id, next.anchor, next.end);
    const from = row.periodEnd.toISOString().slice(0, 10);
    const to = next.end.toISOString().slice(0, 10);
    const description = `${price.pkg.name} package renewal, ${price.months} month${price.months === 1 ? '' : 's'} (${from} to ${to})`;
    return {
      charge: {
        packageId: price.pkg.id,
        packageName: price.pkg.name,
        amountMinor: price.amountMinor,
        currency: price.currency,
        renewedUntil: next.end,
      },
      priced: {
        paymentType: 'renewal',
        purchase: {
          kind: 'renewal',
          packageId: price.pkg.id,
          period: price.period,
          ...(price.customMonths ? { customMonths: price.customMonths } : {}),
          periodStart: row.periodEnd.toISOString(),
          periodEnd: next.end.toISOString(),
        },
        amountMinor: price.amountMinor,
        currency: price.currency,
        description,
        lines: [{ description, quantity: 1, unitMinor: price.amountMinor, totalMinor: price.amountMinor }],
      },
    };
  }
}

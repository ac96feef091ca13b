import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { Outbox, RequestContext, returnedRows } from '@atrium/platform';
import { BillingConfig } from '../billing.config.js';
import { currentPlan, saveSubscription } from '../plans/current-plan.js';
import { moveToFree } from '../plans/plan-activator.js';
import { PlanCatalogue } from '../plans/plan-catalogue.js';
import {
  type LapseReason,
  RENEWAL_FAILED,
  RENEWAL_SUCCEEDED,
  type RenewalFailedPayload,
  type RenewalSucceededPayload,
  SUBSCRIPTION_LAPSED,
  type SubscriptionLapsedPayload,
} from './renewal-events.js';
import { plusDays, type RenewalRow, RenewalRows } from './renewal-rows.js';

/** What a claimed renewal is about to charge for (or just charged). */
export interface RenewalCharge {
  packageId: number;
  packageName: string;
  amountMinor: number;
  currency: string;
  renewedUntil: Date;
}

/** The request id of a renewal attempt: its audit entries, events and payment share it. */
export const requestIdOf = (row: { id: string }, attempt: number) => `renewal:${row.id}:${attempt}`;

/**
 * The outcomes of a renewal step, each in one transaction with its audit entry and outbox event, and each only when
 * the row is still claimed (`finish` on a `charging` row), so a step that lost its claim changes nothing.
 */
@Injectable()
export class RenewalOutcomes {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rows: RenewalRows,
    private readonly config: BillingConfig,
    private readonly audit: AuditWriter,
    private readonly outbox: Outbox,
  ) {}

  /** The charge succeeded: the payment's settlement already extended the period; the row is `renewed`. */
  async renewed(row: RenewalRow, charge: RenewalCharge, paymentId: string | null, em?: EntityManager): Promise<void> {
    const run = async (tx: EntityManager) => {
      const attempt = row.attempts + 1;
      if (!(await this.rows.finish(tx, row.id, { status: 'renewed', attempts: attempt, paymentId, failureCode: null }))) return;
      const ctx = RequestContext.system(requestIdOf(row, attempt), row.organizationId);
      await this.audit.record(tx, ctx, {
        action: 'subscription.renewed',
        resourceType: 'subscription',
        target: (await PlanCatalogue.of(tx)).package(charge.packageId).pkg.name,
        actorUserId: null,
        after: { package_id: charge.packageId, period_end: charge.renewedUntil, status: 'active' },
        metadata: { renewal_id: row.id, payment_id: paymentId, attempt, amount_minor: charge.amountMinor, currency: charge.currency },
      });
      this.outbox.add(tx, {
        name: RENEWAL_SUCCEEDED,
        organizationId: row.organizationId,
        requestId: ctx.requestId,
        payload: {
          renewal_id: row.id,
          package_id: charge.packageId,
          package_name: charge.packageName,
          period_end: row.periodEnd.toISOString(),
          payment_id: paymentId ?? '',
          amount_minor: charge.amountMinor,
          currency: charge.currency,
          attempt,
          renewed_until: charge.renewedUntil.toISOString(),
        } satisfies RenewalSucceededPayload,
      });
    };
    await (em ? run(em) : this.dataSource.transaction(run));
  }

  /**
   * The charge was declined: the subscription is `past_due` (it keeps its package), the row waits for the next retry
   * (period end + retry days[n]) or, after the last one, for the lapse at the end of the grace period.
   */
  async failed(
    row: RenewalRow,
    charge: RenewalCharge,
    failure: { paymentId: string | null; code: string; message: string | null },
    at: Date,
  ): Promise<{ retryAt: Date | null; lapseAt: Date }> {
    const { retryDays, graceDays } = this.config.renewal;
    const attempt = row.attempts + 1;
    const retryAt = attempt <= retryDays.length ? plusDays(row.periodEnd, retryDays[attempt - 1]) : null;
    const lapseAt = plusDays(row.periodEnd, Math.max(graceDays, retryDays.at(-1) ?? 0));
    const next = retryAt ?? new Date(Math.max(lapseAt.getTime(), at.getTime()));
    await this.dataSource.transaction(async (em) => {
      const finished = await this.rows.finish(em, row.id, {
        status: 'retry',
        attempts: attempt,
        nextAttemptAt: next,
        paymentId: failure.paymentId,
        failureCode: failure.code,
      });
      if (!finished) return;
      await em.query(
        `UPDATE organization_subscriptions SET status = 'past_due', updated_at = now()
          WHERE organization_id = $1 AND current_period_end = $2 AND status = 'active'`,
        [row.organizationId, row.periodEnd],
      );
      const ctx = RequestContext.system(requestIdOf(row, attempt), row.organizationId);
      await this.audit.record(em, ctx, {
        action: 'subscription.renewal_failed',
        resourceType: 'subscription',
        target: (await PlanCatalogue.of(em)).package(charge.packageId).pkg.name,
        actorUserId: null,
        after: { status: 'past_due', retry_at: retryAt, lapse_at: lapseAt },
        metadata: { renewal_id: row.id, payment_id: failure.paymentId, attempt, failure_code: failure.code },
      });
      this.outbox.add(em, {
        name: RENEWAL_FAILED,
        organizationId: row.organizationId,
        requestId: ctx.requestId,
        payload: {
          renewal_id: row.id,
          package_id: charge.packageId,
          package_name: charge.packageName,
          period_end: row.periodEnd.toISOString(),
          payment_id: failure.paymentId,
          amount_minor: charge.amountMinor,
          currency: charge.currency,
          attempt,
          failure_code: failure.code,
          failure_message: failure.message,
          retry_at: retryAt?.toISOString() ?? null,
          lapse_at: lapseAt.toISOString(),
        } satisfies RenewalFailedPayload,
      });
    });
    return { retryAt, lapseAt };
  }

  /**
   * The paid package ends in `em` (the caller holds the subscription lock): the organization moves to the free
   * package (its data stays; Free's limits apply from this commit on), auto-renew goes off, its add-ons whose period
   * has ended lapse, and the row is `lapsed` (unpaid) or `ended` (auto-renew off, a scheduled move to Free).
   */
  async end(em: EntityManager, row: RenewalRow, reason: LapseReason, at: Date): Promise<boolean> {
    const { subscription: s, pkg: was } = await currentPlan(em, row.organizationId, true);
    const status = reason === 'payment_failed' ? 'lapsed' : 'ended';
    if (!(await this.rows.finish(em, row.id, { status }))) return false;
    const free = (await PlanCatalogue.of(em)).free().pkg;
    const before = { package_id: was.id, period: s.period, period_end: s.currentPeriodEnd, status: s.status };
    moveToFree(s, free.id, at);
    await saveSubscription(em, s);
    await lapseEndedAddons(em, at, row.organizationId);
    const ctx = RequestContext.system(requestIdOf(row, row.attempts), row.organizationId);
    await this.audit.record(em, ctx, {
      action: status === 'lapsed' ? 'subscription.lapsed' : 'subscription.ended',
      resourceType: 'subscription',
      target: was.name,
      actorUserId: null,
      before,
      after: { package_id: free.id, status: 'active' },
      metadata: { renewal_id: row.id, reason, attempts: row.attempts },
    });
    this.outbox.add(em, {
      name: SUBSCRIPTION_LAPSED,
      organizationId: row.organizationId,
      requestId: ctx.requestId,
      payload: {
        renewal_id: row.id,
        package_id: was.id,
        package_name: was.name,
        period_end: row.periodEnd.toISOString(),
        reason,
        free_package_id: free.id,
      } satisfies SubscriptionLapsedPayload,
    });
    return true;
  }

  /** Add-ons whose paid period has ended (`cancel_at`/`expires_at` ≤ `at`) lapse, each with an audit entry. */
  async lapseAddons(at: Date): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const lapsed = await lapseEndedAddons(em, at);
      const catalogue = await PlanCatalogue.of(em);
      for (const a of lapsed) {
        await this.audit.record(em, RequestContext.system(`addon-lapse:${a.id}`, a.organization_id), {
          action: 'addon.lapsed',
          resourceType: 'addon',
          resourceId: a.id,
          target: catalogue.feature(a.feature_id).name,
          actorUserId: null,
          after: { status: 'cancelled', feature_id: a.feature_id, quantity: a.quantity },
        });
      }
      return lapsed.length;
    });
  }
}

interface LapsedAddon {
  id: string;
  organization_id: string;
  feature_id: number;
  quantity: number;
}

/** The conditional UPDATE is the claim: an add-on lapses once, whoever runs it. */
async function lapseEndedAddons(em: EntityManager, at: Date, organizationId?: string): Promise<LapsedAddon[]> {
  return returnedRows<LapsedAddon>(
    await em.query(
      `UPDATE organization_features SET status = 'cancelled', updated_at = now()
      WHERE status = 'active' AND COALESCE(cancel_at, expires_at) <= $1 AND ($2::uuid IS NULL OR organization_id = $2)
     RETURNING id, organization_id, feature_id, quantity`,
      [at, organizationId ?? null],
    ),
  );
}

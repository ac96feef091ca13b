import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, type RequestContext, returnedRows, TenantRepository } from '@atrium/platform';
import { BillingError } from '../billing.errors.js';
import { quoteChange, type BillingPeriod } from '../pricing/pricing.js';
import { currentPlan } from './current-plan.js';
import { loadPurchasablePackage, priceOf } from './plan-catalogue.js';
import { BillingQuote } from './quote.entity.js';

export const QUOTE_TTL_MS = 30 * 60 * 1000;

export interface QuoteRequest {
  packageId: number;
  period: string;
  customMonths?: number;
}

/** Prices a package change (list price, credit for the unused paid period, amount due) and keeps it 30 minutes. */
@Injectable()
export class QuoteService {
  private readonly quotes: TenantRepository<BillingQuote>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    this.quotes = TenantRepository.for(dataSource, BillingQuote, 'Quote');
  }

  /** A fresh quote for the context's organization, stored so a payment can lock its figure. */
  async create(ctx: RequestContext, request: QuoteRequest, em: EntityManager = this.dataSource.manager): Promise<BillingQuote> {
    const organizationId = ctx.requireOrganizationId();
    const target = await loadPurchasablePackage(em, request.packageId);
    const customMonths = request.customMonths;
    priceOf(target, request.period, customMonths); // names a bad period / custom_months before anything else
    const current = await currentPlan(em, organizationId);
    const at = this.clock.now();
    let q;
    try {
      q = quoteChange({ list: target.list, period: request.period as BillingPeriod, customMonths, at, current: current.paid });
    } catch (err) {
      // Only a current period in another currency is left to fail here: the catalogue mixes currencies.
      if (err instanceof RangeError) throw BillingError.package_not_purchasable(`package_id: ${err.message}`, { field: 'package_id' });
      throw err;
    }
    const repo = this.quotes.with(em);
    return repo.create(ctx, {
      packageId: target.pkg.id,
      period: request.period,
      customMonths: customMonths ?? null,
      listMinor: q.listMinor,
      creditMinor: q.creditMinor,
      dueMinor: q.dueMinor,
      currency: q.currency,
      periodStart: q.periodStart,
      periodEnd: q.periodEnd,
      expiresAt: new Date(at.getTime() + QUOTE_TTL_MS),
    });
  }

  /**
   * The quote if it can still be used for this change: this organization's (else 404), for this package and period
   * (else 400), not used and not expired (else 409). With `em` in a transaction it is locked until commit.
   */
  async usable(
    ctx: RequestContext,
    quoteId: string,
    request: QuoteRequest,
    em: EntityManager = this.dataSource.manager,
  ): Promise<BillingQuote> {
    const quote = await this.quotes.with(em).getById(ctx, quoteId);
    if (em.queryRunner?.isTransactionActive) {
      await em.query(`SELECT 1 FROM billing_quotes WHERE id = $1 FOR UPDATE`, [quote.id]);
      Object.assign(quote, await this.quotes.with(em).getById(ctx, quote.id));
    }
    const customMonths = request.customMonths ?? null;
    if (
      quote.packageId !== request.packageId ||
      quote.period !== request.period ||
      (request.period === 'custom' && quote.customMonths !== customMonths)
    ) {
      throw BillingError.quote_mismatch(
        `quote_id: the quote is for package ${quote.packageId}, period ${quote.period}${quote.customMonths ? ` (${quote.customMonths} months)` : ''}`,
        { field: 'quote_id', package_id: quote.packageId, period: quote.period, custom_months: quote.customMonths },
      );
    }
    if (quote.usedAt) throw BillingError.quote_used(undefined, { field: 'quote_id', used_at: quote.usedAt.toISOString() });
    if (quote.expiresAt <= this.clock.now()) {
      throw BillingError.quote_expired(undefined, { field: 'quote_id', expired_at: quote.expiresAt.toISOString() });
    }
    return quote;
  }

  /** Marks the quote used (by a payment, or by a change applied at once), inside the caller's transaction. */
  async markUsed(em: EntityManager, quoteId: string, paymentId: string | null): Promise<void> {
    const rows = returnedRows(
      await em.query(
        `UPDATE billing_quotes SET used_at = $2, payment_id = $3, updated_at = now() WHERE id = $1 AND used_at IS NULL RETURNING id`,
        [quoteId, this.clock.now(), paymentId],
      ),
    );
    if (!rows.length) throw BillingError.quote_used(undefined, { field: 'quote_id' });
  }
}

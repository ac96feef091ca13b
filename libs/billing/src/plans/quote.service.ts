import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, PreparedQuery, type RequestContext, returnedRows, StatementPool, TenantRepository } from '@atrium/platform';
import { BillingError } from '../billing.errors.js';
import { quoteChange, type BillingPeriod } from '../pricing/pricing.js';
import type { SubscriptionStatus } from '../subscriptions/organization-subscription.entity.js';
import { paidPeriod } from './current-plan.js';
import { PlanCatalogue, priceOf } from './plan-catalogue.js';
import { BillingQuote } from './quote.entity.js';

export const QUOTE_TTL_MS = 30 * 60 * 1000;

export interface QuoteRequest {
  packageId: number;
  period: string;
  customMonths?: number;
}

interface SubscriptionRow {
  package_id: number;
  status: SubscriptionStatus;
  current_period_start: Date | null;
  current_period_end: Date | null;
  amount_minor: string;
  currency: string;
}

/** What a quote's credit needs of the organization's subscription (one row per organization, on its unique index). */
const QUOTE_SUBSCRIPTION_SQL = `
  SELECT package_id, status, current_period_start, current_period_end, amount_minor, currency
    FROM organization_subscriptions
   WHERE organization_id = $1`;

const INSERT_QUOTE_SQL = `
  INSERT INTO billing_quotes (organization_id, package_id, period, custom_months, list_minor, credit_minor, due_minor, currency,
                              period_start, period_end, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
  RETURNING id, created_at, updated_at`;

/** Prices a package change (list price, credit for the unused paid period, amount due) and keeps it 30 minutes. */
@Injectable()
export class QuoteService {
  private readonly quotes: TenantRepository<BillingQuote>;
  /**
   * Creating a quote is two named prepared statements on the StatementPool (parsed and planned once per connection,
   * outside TypeORM): read the subscription, then insert the quote priced in between by the pricing module. The
   * catalogue comes from memory. A single INSERT needs no transaction.
   */
  private readonly subscriptionOf: PreparedQuery<SubscriptionRow>;
  private readonly insert: PreparedQuery<{ id: string; created_at: Date; updated_at: Date }>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    statements: StatementPool,
  ) {
    this.quotes = TenantRepository.for(dataSource, BillingQuote, 'Quote');
    this.subscriptionOf = new PreparedQuery(statements, 'billing_quote_subscription', QUOTE_SUBSCRIPTION_SQL);
    this.insert = new PreparedQuery(statements, 'billing_insert_quote', INSERT_QUOTE_SQL);
  }

  /** A fresh quote for the context's organization, stored so a payment can lock its figure. */
  async create(ctx: RequestContext, request: QuoteRequest): Promise<BillingQuote> {
    const organizationId = ctx.requireOrganizationId();
    const catalogue = await PlanCatalogue.of(this.dataSource.manager);
    const target = catalogue.purchasable(request.packageId);
    const customMonths = request.customMonths;
    priceOf(target, request.period, customMonths); // names a bad period / custom_months before anything else
    const [s] = await this.subscriptionOf.rows([organizationId]);
    // Every organization has a row (made with it); a missing one is a broken invariant, not a user error.
    if (!s) throw new Error(`Organization ${organizationId} has no subscription row`);
    const current = paidPeriod(
      {
        status: s.status,
        currentPeriodStart: s.current_period_start,
        currentPeriodEnd: s.current_period_end,
        amountMinor: Number(s.amount_minor),
        currency: s.currency,
      },
      catalogue.package(s.package_id).pkg,
    );
    const at = this.clock.now();
    let q;
    try {
      q = quoteChange({ list: target.list, period: request.period as BillingPeriod, customMonths, at, current });
    } catch (err) {
      // Only a current period in another currency is left to fail here: the catalogue mixes currencies.
      if (err instanceof RangeError) throw BillingError.package_not_purchasable(`package_id: ${err.message}`, { field: 'package_id' });
      throw err;
    }
    const quote = Object.assign(new BillingQuote(), {
      organizationId,
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
      usedAt: null,
      paymentId: null,
    });
    const [row] = await this.insert.rows([
      organizationId,
      quote.packageId,
      quote.period,
      quote.customMonths,
      quote.listMinor,
      quote.creditMinor,
      quote.dueMinor,
      quote.currency,
      quote.periodStart,
      quote.periodEnd,
      quote.expiresAt,
    ]);
    return Object.assign(quote, { id: row.id, createdAt: row.created_at, updatedAt: row.updated_at });
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

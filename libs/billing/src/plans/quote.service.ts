import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, PreparedQuery, type RequestContext, returnedRows, StatementPool, TenantRepository } from '@atrium/platform';
import { BillingError } from '../billing.errors.js';
import { quoteChange, type BillingPeriod } from '../pricing/pricing.js';
import type { SubscriptionStatus } from '../subscriptions/organization-subscription.entity.js';
import { paidPeriod } from './current-plan.js';
import { PlanCatalogue, priceOf, type PricedPackage } from './plan-catalogue.js';
import { BillingQuote } from './quote.entity.js';

export const QUOTE_TTL_MS = 30 * 60 * 1000;

export interface QuoteRequest {
  packageId: number;
  period: string;
  customMonths?: number;
}

/** What a quote's credit depends on in the organization's subscription row. */
interface SubscriptionTerms {
  package_id: number;
  status: SubscriptionStatus;
  current_period_start: Date | null;
  current_period_end: Date | null;
  amount_minor: string;
  currency: string;
}

/** The terms (one row per organization, on its unique index). */
const QUOTE_TERMS_SQL = `
  SELECT package_id, status, current_period_start, current_period_end, amount_minor, currency
    FROM organization_subscriptions
   WHERE organization_id = $1`;

/**
 * Stores a quote priced (in Node, by the pricing module) from terms read earlier, only if the subscription still has
 * exactly those terms: else nothing is inserted and the caller reads them again. Times compare to the millisecond, the
 * precision the price was computed with.
 */
const INSERT_QUOTE_SQL = `
  WITH s AS (
    SELECT organization_id FROM organization_subscriptions
     WHERE organization_id = $1 AND package_id = $12::int AND status = $13::text
       AND date_trunc('milliseconds', current_period_start) IS NOT DISTINCT FROM $14::timestamptz
       AND date_trunc('milliseconds', current_period_end) IS NOT DISTINCT FROM $15::timestamptz
       AND amount_minor = $16::bigint AND currency = $17::text
  )
  INSERT INTO billing_quotes (organization_id, package_id, period, custom_months, list_minor, credit_minor, due_minor, currency,
                              period_start, period_end, expires_at)
  SELECT s.organization_id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM s
  RETURNING id, created_at`;

/** Organizations whose last-read terms a process keeps (a few hundred bytes each); the oldest read goes first. */
const KEPT_TERMS = 10_000;
/** Reads of the terms before giving up on a subscription that changes under every insert (never seen in practice). */
const MAX_READS = 3;

/** Prices a package change (list price, credit for the unused paid period, amount due) and keeps it 30 minutes. */
@Injectable()
export class QuoteService {
  private readonly quotes: TenantRepository<BillingQuote>;
  /**
   * Creating a quote runs two named prepared statements on the StatementPool (parsed and planned once per connection,
   * outside TypeORM), with the catalogue from memory: the subscription's terms are read, the pricing module prices the
   * quote, and one INSERT stores it only if the terms are still those (a single statement: no transaction). The terms
   * last read are kept per organization, so the next quote is priced from them and costs the INSERT alone; when they
   * changed since (a payment, a renewal, another instance), the INSERT stores nothing and they are read again. A quote
   * is therefore never priced from terms the database no longer holds.
   */
  private readonly termsOf: PreparedQuery<SubscriptionTerms>;
  private readonly insertIfUnchanged: PreparedQuery<{ id: string; created_at: Date }>;
  private readonly knownTerms = new Map<string, SubscriptionTerms>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    statements: StatementPool,
  ) {
    this.quotes = TenantRepository.for(dataSource, BillingQuote, 'Quote');
    this.termsOf = new PreparedQuery(statements, 'billing_quote_terms', QUOTE_TERMS_SQL);
    this.insertIfUnchanged = new PreparedQuery(statements, 'billing_insert_quote', INSERT_QUOTE_SQL);
  }

  /** A fresh quote for the context's organization, stored so a payment can lock its figure. */
  async create(ctx: RequestContext, request: QuoteRequest): Promise<BillingQuote> {
    const organizationId = ctx.requireOrganizationId();
    const catalogue = await PlanCatalogue.of(this.dataSource.manager);
    const target = catalogue.purchasable(request.packageId);
    priceOf(target, request.period, request.customMonths); // names a bad period / custom_months before anything else
    const at = this.clock.now();
    let terms = this.knownTerms.get(organizationId);
    for (let reads = 0; ;) {
      if (!terms) {
        if (reads++ === MAX_READS) throw new Error(`The subscription of organization ${organizationId} changed under ${MAX_READS} quotes`);
        [terms] = await this.termsOf.rows([organizationId]);
        // Every organization has a row (made with it); a missing one is a broken invariant, not a user error.
        if (!terms) throw new Error(`Organization ${organizationId} has no subscription row`);
        this.remember(organizationId, terms);
      }
      const quote = this.price(organizationId, target, request, terms, at, catalogue);
      const [row] = await this.insertIfUnchanged.rows([
        organizationId,
        quote.packageId,
        quote.period,
        quote.customMonths,
        quote.listMinor,
        quote.creditMinor,
        quote.dueMinor,
        quote.currency,
        quote.periodStart.toISOString(),
        quote.periodEnd.toISOString(),
        quote.expiresAt.toISOString(),
        terms.package_id,
        terms.status,
        terms.current_period_start?.toISOString() ?? null,
        terms.current_period_end?.toISOString() ?? null,
        terms.amount_minor,
        terms.currency,
      ]);
      // Both timestamps default to now(), the same instant within one statement.
      if (row) return Object.assign(quote, { id: row.id, createdAt: row.created_at, updatedAt: row.created_at });
      this.knownTerms.delete(organizationId);
      terms = undefined;
    }
  }

  /** The quote the pricing module computes from these terms at `at` (not stored yet). */
  private price(
    organizationId: string,
    target: PricedPackage,
    request: QuoteRequest,
    terms: SubscriptionTerms,
    at: Date,
    catalogue: PlanCatalogue,
  ): BillingQuote {
    const current = paidPeriod(
      {
        status: terms.status,
        currentPeriodStart: terms.current_period_start,
        currentPeriodEnd: terms.current_period_end,
        amountMinor: Number(terms.amount_minor),
        currency: terms.currency,
      },
      catalogue.package(terms.package_id).pkg,
    );
    const customMonths = request.customMonths;
    let q;
    try {
      q = quoteChange({ list: target.list, period: request.period as BillingPeriod, customMonths, at, current });
    } catch (err) {
      // Only a current period in another currency is left to fail here: the catalogue mixes currencies.
      if (err instanceof RangeError) throw BillingError.package_not_purchasable(`package_id: ${err.message}`, { field: 'package_id' });
      throw err;
    }
    return Object.assign(new BillingQuote(), {
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
  }

  private remember(organizationId: string, terms: SubscriptionTerms): void {
    this.knownTerms.delete(organizationId);
    if (this.knownTerms.size >= KEPT_TERMS) this.knownTerms.delete(this.knownTerms.keys().next().value!);
    this.knownTerms.set(organizationId, terms);
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

  /** Gives back the quote a payment used when its charge never started, so it can be paid again. */
  async release(em: EntityManager, paymentId: string): Promise<void> {
    await em.query(`UPDATE billing_quotes SET used_at = NULL, payment_id = NULL, updated_at = now() WHERE payment_id = $1`, [paymentId]);
  }
}

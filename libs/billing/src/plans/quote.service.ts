import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig, Clock, notFound, PreparedQuery, type RequestContext, returnedRows, StatementPool } from '@atrium/platform';
import { BillingError } from '../billing.errors.js';
import type { Purchase } from '../payments/purchase.js';
import { quoteChange, type BillingPeriod } from '../pricing/pricing.js';
import type { SubscriptionStatus } from '../subscriptions/organization-subscription.entity.js';
import { paidPeriod } from './current-plan.js';
import { PlanCatalogue, priceOf, type PricedPackage } from './plan-catalogue.js';
import { type Quote, type QuoteClaims, QuoteTokens, type SubscriptionTerms, termsFingerprint } from './quote-token.js';
import { type CachedTerms, SubscriptionTermsCache } from './subscription-terms-cache.js';

export const QUOTE_TTL_MS = 30 * 60 * 1000;

export interface QuoteRequest {
  packageId: number;
  period: string;
  customMonths?: number;
}

const TERMS_COLUMNS = 'package_id, status, current_period_start, current_period_end, amount_minor, currency';

/** The terms (one row per organization, on its unique index). */
const QUOTE_TERMS_SQL = `SELECT ${TERMS_COLUMNS} FROM organization_subscriptions WHERE organization_id = $1`;

/** The terms now, and whether the quote was used (its id is the primary key of billing_quotes once used). */
const QUOTE_STATE_SQL = `
  SELECT s.package_id, s.status, s.current_period_start, s.current_period_end, s.amount_minor, s.currency, q.used_at
    FROM organization_subscriptions s LEFT JOIN billing_quotes q ON q.id = $2::uuid
   WHERE s.organization_id = $1`;

/** Records a used quote; `ON CONFLICT` makes the first use win (a concurrent one waits for it, then inserts nothing). */
const INSERT_USED_SQL = `
  INSERT INTO billing_quotes (id, organization_id, package_id, period, custom_months, list_minor, credit_minor, due_minor,
                              currency, period_start, period_end, expires_at, used_at, payment_id)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
  ON CONFLICT (id) DO NOTHING RETURNING id`;

/**
 * Prices a package change (list price, credit for the unused paid period, amount due) as a signed token valid 30
 * minutes. Making a quote writes nothing: the subscription's terms come from this instance's SubscriptionTermsCache
 * while the organization's version read by this request's credential check says they are unchanged (else from one
 * named prepared statement on the StatementPool), the pricing module prices the change from them, and the token
 * carries the figures and a fingerprint of those terms. Using a quote (a payment, or a change applied at once) records it in billing_quotes
 * under the token's random id, in the using transaction: that row is what makes a quote single-use.
 */
@Injectable()
export class QuoteService {
  private readonly tokens: QuoteTokens;
  private readonly termsOf: PreparedQuery<SubscriptionTerms>;
  private readonly stateOf: PreparedQuery<SubscriptionTerms & { used_at: Date | null }>;
  private readonly cachedTerms = new SubscriptionTermsCache();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    statements: StatementPool,
    config: AppConfig,
  ) {
    this.tokens = new QuoteTokens(config.encryptionKey);
    this.termsOf = new PreparedQuery(statements, 'billing_quote_terms', QUOTE_TERMS_SQL);
    this.stateOf = new PreparedQuery(statements, 'billing_quote_state', QUOTE_STATE_SQL);
  }

  /** A fresh quote for the context's organization, priced from its subscription as it is now. */
  async create(ctx: RequestContext, request: QuoteRequest): Promise<Quote> {
    const organizationId = ctx.requireOrganizationId();
    const catalogue = await PlanCatalogue.of(this.dataSource.manager);
    const target = catalogue.purchasable(request.packageId);
    priceOf(target, request.period, request.customMonths); // names a bad period / custom_months before anything else
    const terms = await this.termsNow(ctx, organizationId);
    const claims = this.price(organizationId, target, request, terms, this.clock.now(), catalogue);
    return { ...claims, token: this.tokens.sign(claims) };
  }

  /**
   * The organization's subscription terms as they are now: this instance's copy when the version the credential
   * check read for this request is the one it was read at, else read (and kept under that version). Using a quote
   * reads them again under a lock (`usable`, `markUsed`), so a cached copy never decides what is charged.
   */
  private async termsNow(ctx: RequestContext, organizationId: string): Promise<CachedTerms> {
    const version = ctx.meta.read?.directoryVersion;
    const hit = version === undefined ? undefined : this.cachedTerms.get(organizationId, version);
    if (hit) return hit;
    const [terms] = await this.termsOf.rows([organizationId]);
    // Every organization has a row (made with it); a missing one is a broken invariant, not a user error.
    if (!terms) throw new Error(`Organization ${organizationId} has no subscription row`);
    return version === undefined ? { terms, fingerprint: termsFingerprint(terms) } : this.cachedTerms.set(organizationId, version, terms);
  }

  /**
   * The quote a token carries if it can still be used for this change: signed by us for this organization (else 404,
   * as for an unknown quote), for this package and period (else 400), not used, not expired, and priced from the
   * subscription as it still is (else 409). `markUsed` checks the last two again in the using transaction.
   */
  async usable(ctx: RequestContext, token: string, request: QuoteRequest): Promise<Quote> {
    const organizationId = ctx.requireOrganizationId();
    const claims = this.tokens.verify(token);
    if (!claims || claims.organizationId !== organizationId) throw notFound('Quote');
    const customMonths = request.customMonths ?? null;
    if (
      claims.packageId !== request.packageId ||
      claims.period !== request.period ||
      (request.period === 'custom' && claims.customMonths !== customMonths)
    ) {
      throw BillingError.quote_mismatch(
        `quote_id: the quote is for package ${claims.packageId}, period ${claims.period}${claims.customMonths ? ` (${claims.customMonths} months)` : ''}`,
        { field: 'quote_id', package_id: claims.packageId, period: claims.period, custom_months: claims.customMonths },
      );
    }
    const [state] = await this.stateOf.rows([organizationId, claims.id]);
    if (!state) throw new Error(`Organization ${organizationId} has no subscription row`);
    if (state.used_at) throw BillingError.quote_used(undefined, { field: 'quote_id', used_at: state.used_at.toISOString() });
    if (claims.expiresAt <= this.clock.now()) {
      throw BillingError.quote_expired(undefined, { field: 'quote_id', expired_at: claims.expiresAt.toISOString() });
    }
    assertCurrent(claims, state);
    return { ...claims, token };
  }

  /**
   * Takes the quote inside the caller's transaction: the subscription row is locked (`share` for a payment, `update`
   * when the caller changes the subscription next) and must still have the quote's terms (else 409 `quote_stale`),
   * then the quote is recorded as used (else 409 `quote_used`: another request took it first).
   */
  async markUsed(em: EntityManager, quote: QuoteClaims, opts: { paymentId: string | null; lock: 'share' | 'update' }): Promise<void> {
    const [terms] = await em.query<SubscriptionTerms[]>(
      `SELECT ${TERMS_COLUMNS} FROM organization_subscriptions WHERE organization_id = $1 FOR ${opts.lock === 'update' ? 'UPDATE' : 'SHARE'}`,
      [quote.organizationId],
    );
    if (!terms) throw new Error(`Organization ${quote.organizationId} has no subscription row`);
    assertCurrent(quote, terms);
    if (!(await this.record(em, quote, this.clock.now(), opts.paymentId))) throw BillingError.quote_used(undefined, { field: 'quote_id' });
  }

  /** Gives back the quote a payment took when its charge never started (the row goes, so the token works again). */
  async release(em: EntityManager, quoteId: string, paymentId: string): Promise<void> {
    await em.query(`DELETE FROM billing_quotes WHERE id = $1 AND payment_id = $2`, [quoteId, paymentId]);
  }

  /**
   * For a succeeded package payment (in the settlement transaction): its quote stays used. Records it again when it
   * was released (a charge thought never started that went through after all), unless another use took it since.
   */
  async keepUsedBy(
    em: EntityManager,
    payment: { id: string; organizationId: string; amountMinor: number; currency: string },
    purchase: Extract<Purchase, { kind: 'package' }>,
    at: Date,
  ): Promise<void> {
    await this.record(
      em,
      {
        id: purchase.quoteId,
        organizationId: payment.organizationId,
        packageId: purchase.packageId,
        period: purchase.period,
        customMonths: purchase.customMonths ?? null,
        listMinor: purchase.listMinor,
        creditMinor: purchase.creditMinor,
        dueMinor: payment.amountMinor,
        currency: payment.currency,
        periodStart: new Date(purchase.periodStart),
        periodEnd: new Date(purchase.periodEnd),
        expiresAt: new Date(purchase.quoteExpiresAt),
      },
      at,
      payment.id,
    );
  }

  /** Inserts the used quote; false when its id is already recorded. */
  private async record(em: EntityManager, q: Omit<QuoteClaims, 'terms'>, usedAt: Date, paymentId: string | null): Promise<boolean> {
    const rows = returnedRows(
      await em.query(INSERT_USED_SQL, [
        q.id,
        q.organizationId,
        q.packageId,
        q.period,
        q.customMonths,
        q.listMinor,
        q.creditMinor,
        q.dueMinor,
        q.currency,
        q.periodStart,
        q.periodEnd,
        q.expiresAt,
        usedAt,
        paymentId,
      ]),
    );
    return rows.length > 0;
  }

  /** The quote the pricing module computes from these terms at `at`. */
  private price(
    organizationId: string,
    target: PricedPackage,
    request: QuoteRequest,
    { terms, fingerprint }: CachedTerms,
    at: Date,
    catalogue: PlanCatalogue,
  ): QuoteClaims {
    const current = paidPeriod(
      {
        status: terms.status as SubscriptionStatus,
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
    return {
      id: randomUUID(),
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
      terms: fingerprint,
    };
  }
}

/** 409 `quote_stale` when the subscription no longer has the terms the quote was priced from. */
function assertCurrent(quote: QuoteClaims, terms: SubscriptionTerms): void {
  if (termsFingerprint(terms) !== quote.terms) throw BillingError.quote_stale(undefined, { field: 'quote_id' });
}

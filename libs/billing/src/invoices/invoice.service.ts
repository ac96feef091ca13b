import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { isUuid, RequestContext, TenantRepository } from '@atrium/platform';
import { BillingError } from '../billing.errors.js';
import type { PurchaseLine } from '../payments/purchase.js';
import { BillingDetailsService } from './billing-details.service.js';
import { currencyExponent } from '../pricing/money.js';
import { invoiceTotals } from '../pricing/pricing.js';
import { Invoice, type StoredInvoiceLine } from './invoice.entity.js';
import { formatInvoiceNumber, nextInvoiceSeq, returnInvoiceSeq } from './invoice-number.js';
import { InvoicePdf } from './invoice-pdf.js';

/** What a succeeded payment's invoice is made of. */
export interface IssueInvoiceInput {
  organizationId: string;
  paymentId: string;
  currency: string;
  lines: PurchaseLine[];
  /** The invoice's date; its UTC year picks the number series. */
  issuedAt: Date;
}

/** Issues, finds and renders the invoices of succeeded payments. */
@Injectable()
export class InvoiceService {
  private readonly invoices: TenantRepository<Invoice>;

  constructor(
    dataSource: DataSource,
    private readonly details: BillingDetailsService,
    private readonly pdf: InvoicePdf,
  ) {
    this.invoices = TenantRepository.for(dataSource, Invoice, 'Invoice');
  }

  /**
   * Issues the payment's invoice inside the caller's transaction (the one that marks the payment succeeded): the next
   * number of the organization's series for the year, the billing details as they are now (frozen), the lines.
   * Idempotent per payment: a second call answers the invoice already issued and takes no number.
   */
  async issue(em: EntityManager, input: IssueInvoiceInput): Promise<Invoice> {
    const ctx = RequestContext.system('invoice', input.organizationId);
    const invoices = this.invoices.with(em);
    const existing = await invoices.findOne(ctx, { paymentId: input.paymentId });
    if (existing) return existing;

    currencyExponent(input.currency); // a RangeError for a currency the pricing module does not know
    const { lines, totalMinor } = totals(input.lines);
    const year = input.issuedAt.getUTCFullYear();
    const seq = await nextInvoiceSeq(em, input.organizationId, year);
    const billingDetails = await this.details.snapshot(em, input.organizationId);
    const rows: Array<{ id: string }> = await em.query(
      `INSERT INTO invoices (organization_id, payment_id, number, year, seq, currency, lines, total_minor, billing_details, issued_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (payment_id) DO NOTHING
       RETURNING id`,
      [
        input.organizationId,
        input.paymentId,
        formatInvoiceNumber(year, seq),
        year,
        seq,
        input.currency,
        JSON.stringify(lines),
        totalMinor,
        JSON.stringify(billingDetails),
        input.issuedAt,
      ],
    );
    if (rows.length) return invoices.getById(ctx, rows[0].id);
    // Another transaction issued this payment's invoice after our first look: give the number back, answer theirs.
    await returnInvoiceSeq(em, input.organizationId, year, seq);
    const theirs = await invoices.findOne(ctx, { paymentId: input.paymentId });
    // A payment belongs to one organization: its invoice under another is a caller's bug, not a new invoice.
    if (!theirs) throw new Error(`Payment ${input.paymentId} already has an invoice of another organization`);
    return theirs;
  }

  /** The invoice of one of the context organization's payments; `invoice_not_found` (404) otherwise. */
  async forPayment(ctx: RequestContext, paymentId: string): Promise<Invoice> {
    const invoice = isUuid(paymentId) ? await this.invoices.findOne(ctx, { paymentId }) : null;
    if (!invoice) throw BillingError.invoice_not_found();
    return invoice;
  }

  /** The invoice as a PDF document. */
  render(invoice: Invoice): Promise<Buffer> {
    return this.pdf.render(invoice);
  }
}

/**
 * The lines and total as the pricing module computes them (the one place figures are made); a line whose given total
 * disagrees with it is a bug upstream, refused rather than printed on an invoice.
 */
function totals(given: PurchaseLine[]): { lines: StoredInvoiceLine[]; totalMinor: number } {
  const computed = invoiceTotals(given.map(({ description, quantity, unitMinor }) => ({ description, quantity, unitMinor })));
  computed.lines.forEach((line, i) => {
    if (line.totalMinor !== given[i].totalMinor) {
      throw new RangeError(
        `Invoice line "${line.description}" totals ${given[i].totalMinor}, but ${line.quantity} × ${line.unitMinor} is ${line.totalMinor}`,
      );
    }
  });
  return {
    lines: computed.lines.map((l) => ({
      description: l.description,
      quantity: l.quantity,
      unit_minor: l.unitMinor,
      total_minor: l.totalMinor,
    })),
    totalMinor: computed.totalMinor,
  };
}

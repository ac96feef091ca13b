import { readFileSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import PDFDocument from 'pdfkit';
import { BillingConfig, type InvoiceSettings } from '../billing.config.js';
import type { BillingDetailsSnapshot, Invoice } from './invoice.entity.js';
import { formatMinor } from './money-format.js';

const MARGIN = 50;
const GREY = '#555555';
const RULE = '#cccccc';
const PAID = '#1a7f37';

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' });
const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** Table columns: x offset from the left margin and width, in points (A4 content width is 495). */
const COLUMNS = { description: [0, 245], quantity: [250, 45], unit: [300, 95], amount: [400, 95] } as const;

/**
 * Writes an invoice as a one-document PDF in an embedded TrueType font (the standard PDF fonts cannot write Polish
 * or most non-Western-European text). The font files are read once, when the app starts; pdfkit subsets them per
 * document. Tables are laid out with `text` at fixed columns: pdfkit's `table()` costs hundreds of ms with a TTF.
 */
@Injectable()
export class InvoicePdf {
  private readonly regular: Buffer;
  private readonly bold: Buffer;
  private readonly seller: InvoiceSettings;

  constructor(config: BillingConfig) {
    this.seller = config.invoices;
    this.regular = readFileSync(config.invoices.font.regular);
    this.bold = config.invoices.font.bold === config.invoices.font.regular ? this.regular : readFileSync(config.invoices.font.bold);
  }

  render(invoice: Invoice): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const doc = new PDFDocument({
        size: 'A4',
        margin: MARGIN,
        info: { Title: `Invoice ${invoice.number}`, Author: this.seller.sellerName, CreationDate: invoice.issuedAt },
      });
      const chunks: Buffer[] = [];
      doc.on('data', (chunk: Buffer) => chunks.push(chunk));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
      doc.registerFont('regular', this.regular);
      doc.registerFont('bold', this.bold);
      try {
        this.layout(doc, invoice);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
      doc.end();
    });
  }

  private layout(doc: PDFKit.PDFDocument, invoice: Invoice): void {
    const left = MARGIN;
    const width = doc.page.width - 2 * MARGIN;
    const issued = dateFormat.format(invoice.issuedAt);

    doc.font('bold').fontSize(22).fillColor('black').text('Invoice', left, MARGIN);
    doc.font('regular').fontSize(10).fillColor(GREY);
    doc.text(`Number: ${invoice.number}`, left, MARGIN + 32);
    doc.text(`Issue date: ${issued}`);
    doc.text(`Payment date: ${issued}`);
    this.paidMarker(doc, left + width - 110, MARGIN, issued);

    const blocksTop = MARGIN + 100;
    const sellerBottom = this.party(doc, 'Seller', left, blocksTop, [
      this.seller.sellerName,
      ...this.seller.sellerAddress,
      ...(this.seller.sellerTaxId ? [`Tax ID: ${this.seller.sellerTaxId}`] : []),
    ]);
    const buyerBottom = this.party(doc, 'Bill to', left + width / 2 + 10, blocksTop, buyerLines(invoice.billingDetails));

    let y = Math.max(sellerBottom, buyerBottom) + 30;
    y = this.tableHeader(doc, y);
    for (const line of invoice.lines) {
      doc.font('regular').fontSize(10);
      const height = Math.max(doc.heightOfString(line.description, { width: COLUMNS.description[1] }), 12);
      if (y + height > doc.page.height - MARGIN - 60) {
        doc.addPage();
        y = this.tableHeader(doc, MARGIN);
      }
      doc.fillColor('black');
      cell(doc, line.description, 'description', y);
      cell(doc, String(line.quantity), 'quantity', y, 'right');
      cell(doc, formatMinor(line.unit_minor, invoice.currency), 'unit', y, 'right');
      cell(doc, formatMinor(line.total_minor, invoice.currency), 'amount', y, 'right');
      y += height + 8;
    }
    doc
      .moveTo(left, y)
      .lineTo(left + width, y)
      .strokeColor(RULE)
      .lineWidth(0.5)
      .stroke();
    y += 10;
    doc.font('bold').fontSize(12).fillColor('black');
    doc.text('Total', left + COLUMNS.unit[0], y, { width: COLUMNS.unit[1], align: 'right' });
    cell(doc, formatMinor(invoice.totalMinor, invoice.currency), 'amount', y, 'right');
    y += 30;
    doc.font('regular').fontSize(9).fillColor(GREY);
    doc.text(`Paid in full on ${issued}. Amounts in ${invoice.currency}.`, left, y, { width });
  }

  /** A green "PAID" stamp with the payment date. */
  private paidMarker(doc: PDFKit.PDFDocument, x: number, y: number, date: string): void {
    doc.roundedRect(x, y, 110, 44, 4).lineWidth(1.5).strokeColor(PAID).stroke();
    doc
      .font('bold')
      .fontSize(16)
      .fillColor(PAID)
      .text('PAID', x, y + 6, { width: 110, align: 'center' });
    doc
      .font('regular')
      .fontSize(8)
      .text(date, x, y + 27, { width: 110, align: 'center' });
  }

  /** A titled address block; answers where it ends. */
  private party(doc: PDFKit.PDFDocument, title: string, x: number, y: number, lines: string[]): number {
    const width = (doc.page.width - 2 * MARGIN) / 2 - 10;
    doc.font('regular').fontSize(9).fillColor(GREY).text(title.toUpperCase(), x, y, { width });
    const [name, ...rest] = lines;
    doc
      .font('bold')
      .fontSize(11)
      .fillColor('black')
      .text(name, x, y + 14, { width });
    doc.font('regular').fontSize(10);
    for (const line of rest) doc.text(line, { width });
    return doc.y;
  }

  private tableHeader(doc: PDFKit.PDFDocument, y: number): number {
    doc.font('bold').fontSize(10).fillColor(GREY);
    cell(doc, 'Description', 'description', y);
    cell(doc, 'Qty', 'quantity', y, 'right');
    cell(doc, 'Unit price', 'unit', y, 'right');
    cell(doc, 'Amount', 'amount', y, 'right');
    const below = y + 16;
    doc
      .moveTo(MARGIN, below)
      .lineTo(doc.page.width - MARGIN, below)
      .strokeColor(RULE)
      .lineWidth(0.5)
      .stroke();
    return below + 8;
  }
}

function cell(doc: PDFKit.PDFDocument, text: string, column: keyof typeof COLUMNS, y: number, align: 'left' | 'right' = 'left'): void {
  const [x, width] = COLUMNS[column];
  doc.text(text, MARGIN + x, y, { width, align });
}

/** The buyer's block: name, address, country, tax number and email, skipping what is not set. */
function buyerLines(d: BillingDetailsSnapshot): string[] {
  const place = [d.postal_code, d.city].filter(Boolean).join(' ');
  return [
    d.legal_name,
    d.address_line1,
    d.address_line2,
    place || null,
    d.country ? (countryNames.of(d.country) ?? d.country) : null,
    d.tax_id ? `Tax ID: ${d.tax_id}` : null,
    d.email,
  ].filter((l): l is string => Boolean(l));
}

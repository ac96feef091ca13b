import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@atrium/platform';
import { pdfText } from '../../../../test/support/pdf-text.js';
import { INVOICE_FONT_CANDIDATES, loadBillingConfig } from '../billing.config.js';
import { Invoice } from './invoice.entity.js';
import { InvoicePdf } from './invoice-pdf.js';

const dataDir = mkdtempSync(join(tmpdir(), 'atrium-invoice-pdf-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const app = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test' });
const billing = loadBillingConfig(app, {
  BILLING_SELLER_NAME: 'Atrium Software GmbH',
  BILLING_SELLER_ADDRESS: 'Großbeerenstraße 2|10963 Berlin|Germany',
  BILLING_SELLER_TAX_ID: 'DE123456789',
});
const renderer = new InvoicePdf(billing);

const invoice = Object.assign(new Invoice(), {
  id: '6f1c9c1e-2f0a-4c55-9a39-0d7c1f3a9b11',
  organizationId: '0b6f7a3e-8a55-4d4e-9b51-6a3f0e2c1d22',
  paymentId: '3e1b2c4d-5f6a-4b7c-8d9e-0f1a2b3c4d5e',
  number: 'INV-2026-000042',
  year: 2026,
  seq: 42,
  currency: 'PLN',
  lines: [
    { description: 'Platinum package, 1 year (14 March 2026 – 14 March 2027)', quantity: 1, unit_minor: 134900, total_minor: 134900 },
    { description: 'Credit for the unused days of Basic', quantity: 1, unit_minor: -11444, total_minor: -11444 },
  ],
  totalMinor: 123456,
  billingDetails: {
    legal_name: 'Żółty Młyn sp. z o.o.',
    email: 'faktury@zolty-mlyn.example',
    address_line1: 'ul. Łąkowa 7',
    address_line2: null,
    postal_code: '90-001',
    city: 'Łódź',
    country: 'PL',
    tax_id: 'PL5261040828',
  },
  issuedAt: new Date('2026-03-14T10:00:00Z'),
});

/** The document's text, one string per text run, with no-break spaces read as spaces. */
const textOf = (pdf: Buffer) => pdfText(pdf).map((s) => s.replace(/\u00a0/g, ' '));

describe('InvoicePdf', () => {
  it('writes a PDF with the number, dates, both parties, the lines, the total and the paid marker', async () => {
    const pdf = await renderer.render(invoice);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toMatch(/%%EOF\s*$/);
    const text = textOf(pdf);
    expect(text).toContain('Number: INV-2026-000042');
    expect(text).toContain('Issue date: 14 March 2026');
    expect(text).toContain('PAID');
    expect(text).toEqual(expect.arrayContaining(['Atrium Software GmbH', 'Großbeerenstraße 2', '10963 Berlin', 'Tax ID: DE123456789']));
    expect(text).toEqual(
      expect.arrayContaining(['Żółty Młyn sp. z o.o.', 'ul. Łąkowa 7', '90-001 Łódź', 'Poland', 'Tax ID: PL5261040828']),
    );
    expect(text).toEqual(expect.arrayContaining(['Credit for the unused days of Basic', 'PLN 1,349.00', '-PLN 114.44']));
    expect(text.slice(text.indexOf('Total'))).toContain('PLN 1,234.56');
  });

  it('embeds the TrueType font, so Polish and German letters are real glyphs', async () => {
    const pdf = await renderer.render(invoice);
    expect(pdf.toString('latin1')).toMatch(/\/FontFile2 \d+ 0 R/);
    expect(textOf(pdf).join('\n')).not.toContain('\ufffd');
  });

  it('writes each currency with its own minor-unit digits', async () => {
    const yen = Object.assign(new Invoice(), {
      ...invoice,
      currency: 'JPY',
      lines: [{ description: 'Basic package, 1 month', quantity: 2, unit_minor: 1900, total_minor: 3800 }],
      totalMinor: 3800,
    });
    const text = textOf(await renderer.render(yen));
    expect(text).toEqual(expect.arrayContaining(['¥1,900', '¥3,800']));
  });
});

describe('invoice settings', () => {
  it('read the seller address lines and take the font named in BILLING_INVOICE_FONT', () => {
    // The bundled DejaVu (the last candidate) exists on every machine that installed the dependencies.
    const dejavu = INVOICE_FONT_CANDIDATES[INVOICE_FONT_CANDIDATES.length - 1].regular;
    const settings = loadBillingConfig(app, {
      BILLING_SELLER_ADDRESS: ' 1 Main St | 10001 New York ',
      BILLING_INVOICE_FONT: dejavu,
    }).invoices;
    expect(settings).toMatchObject({ sellerName: 'Atrium', sellerAddress: ['1 Main St', '10001 New York'], sellerTaxId: null });
    expect(settings.font).toEqual({ regular: dejavu, bold: dejavu });
  });

  it('stop the boot naming BILLING_INVOICE_FONT when the font file is missing', () => {
    let error: unknown;
    try {
      loadBillingConfig(app, { BILLING_INVOICE_FONT: '/nonexistent/font.ttf', BILLING_SELLER_NAME: '' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(/BILLING_INVOICE_FONT: no file at \/nonexistent\/font.ttf/);
    expect(String((error as Error).message)).toMatch(/BILLING_SELLER_NAME/);
  });
});

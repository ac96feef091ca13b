import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Invoice, InvoiceService } from '@atrium/billing';
import type { RegisteredOrg } from '../support/factories.js';
import { createMember, registerOrg, type Member } from '../support/members.js';
import { pdfText } from '../support/pdf-text.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let a: RegisteredOrg;
let b: RegisteredOrg;
let admin: Member;
let viewer: Member;
let member: Member;
let invoice: Invoice;

beforeAll(async () => {
  t = await startTestApp({ BILLING_SELLER_NAME: 'Atrium Test Seller', BILLING_SELLER_ADDRESS: 'Hauptstraße 1|10115 Berlin' });
  [a, b] = await Promise.all([
    registerOrg(t.http, { organization_name: 'Zakład Stolarski Świątek' }),
    registerOrg(t.http, { organization_name: 'Bravo Org' }),
  ]);
  const role = await t.http.post(
    '/roles',
    { name: 'Billing viewer', slug: 'billing-viewer', permissions: ['billing.view'] },
    { token: a.accessToken },
  );
  expect(role.status).toBe(201);
  [admin, viewer, member] = await Promise.all([
    createMember(t, a, 'admin'),
    createMember(t, a, 'billing-viewer'),
    createMember(t, a, 'member'),
  ]);
  // What the payment-success transaction does; payments are another folder's, so the invoice is issued directly.
  invoice = await t.db.transaction((em) =>
    t.app.get(InvoiceService).issue(em, {
      organizationId: a.organizationId,
      paymentId: randomUUID(),
      currency: 'EUR',
      lines: [{ description: 'Platinum package, 1 month', quantity: 1, unitMinor: 4900, totalMinor: 4900 }],
      issuedAt: new Date('2026-04-01T09:00:00Z'),
    }),
  );
});
afterAll(async () => {
  await t?.close();
});

const details = (token: string) => t.http.get('/organizations/me/billing-details', { token });
const putDetails = (token: string, body: unknown) => t.http.put('/organizations/me/billing-details', body, { token });

/** The invoice download, read as bytes. */
async function download(paymentId: string, token: string) {
  const res = await fetch(`${t.url}/api/v1/payments/${paymentId}/invoice`, { headers: { authorization: `Bearer ${token}` } });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) as Record<string, unknown> };
}

const VALID = {
  legal_name: 'Zakład Stolarski Świątek sp. j.',
  email: 'Faktury@Swiatek.example',
  address_line1: 'ul. Źródlana 3',
  postal_code: '31-042',
  city: 'Kraków',
  country: 'pl',
  tax_id: 'PL6762475673',
};

describe('GET/PUT /organizations/me/billing-details', () => {
  it('answers the organization’s name and email until details are set', async () => {
    const res = await details(b.accessToken);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      legal_name: 'Bravo Org',
      email: b.email,
      address_line1: null,
      address_line2: null,
      postal_code: null,
      city: null,
      country: null,
      tax_id: null,
      updated_at: null,
    });
  });

  it('saves the details (normalized), shows them to billing viewers, records the change, and leaves other organizations alone', async () => {
    const res = await putDetails(a.accessToken, VALID);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ ...VALID, email: 'faktury@swiatek.example', country: 'PL', address_line2: null });
    expect(Date.parse(res.body.data.updated_at)).not.toBeNaN();
    expect((await details(viewer.accessToken)).body.data).toEqual(res.body.data);
    expect((await details(b.accessToken)).body.data.legal_name).toBe('Bravo Org');
    const [entry] = await t.db.query<Array<{ before: { legal_name: string }; after: { city: string } }>>(
      `SELECT before, after FROM audit_logs WHERE organization_id = $1 AND action = 'billing.details_updated'`,
      [a.organizationId],
    );
    expect([entry.before.legal_name, entry.after.city]).toEqual(['Zakład Stolarski Świątek', 'Kraków']);
    // PUT replaces the whole set: what is left out is cleared.
    const replaced = await putDetails(a.accessToken, { legal_name: VALID.legal_name, email: VALID.email, address_line1: '' });
    expect(replaced.body.data).toMatchObject({ address_line1: null, city: null, country: null, tax_id: null });
  });

  it('refuses bad input with a 400 naming every bad field, and changes nothing', async () => {
    const before = (await details(a.accessToken)).body.data;
    const res = await putDetails(a.accessToken, {
      legal_name: ' ',
      email: 'not-an-email',
      address_line1: 42,
      postal_code: '!!',
      city: 'x'.repeat(101),
      country: 'XX',
      tax_id: '#1',
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    const fields = (res.body.details as Array<{ field: string }>).map((d) => d.field).sort();
    expect(fields).toEqual(['address_line1', 'city', 'country', 'email', 'legal_name', 'postal_code', 'tax_id']);
    expect((await details(a.accessToken)).body.data).toEqual(before);
  });

  it('refuses fields it does not know (no mass assignment)', async () => {
    const res = await putDetails(a.accessToken, { ...VALID, organization_id: b.organizationId, updated_at: '2020-01-01T00:00:00Z' });
    expect(res.status).toBe(400);
    expect((res.body.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual(['organization_id', 'updated_at']);
    expect((await details(b.accessToken)).body.data.legal_name).toBe('Bravo Org');
  });

  it('needs billing.manage to change and billing.view to read', async () => {
    expect((await details(admin.accessToken)).status).toBe(200);
    const refused = await putDetails(admin.accessToken, VALID);
    expect([refused.status, refused.body.code]).toEqual([403, 'missing_permission']);
    expect((await putDetails(viewer.accessToken, VALID)).status).toBe(403);
    expect((await details(member.accessToken)).status).toBe(403);
  });
});

describe('GET /payments/:id/invoice', () => {
  it('downloads the invoice as a PDF attachment named after its number', async () => {
    const res = await download(invoice.paymentId, a.accessToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${invoice.number}.pdf"`);
    expect(invoice.number).toBe('INV-2026-000001');
    expect(res.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(res.body).map((s) => s.replace(/\u00a0/g, ' '));
    expect(text).toEqual(expect.arrayContaining(['Number: INV-2026-000001', 'Atrium Test Seller', 'Hauptstraße 1', '€49.00']));
    // The buyer is who the organization was when the invoice was issued (before the details were set above).
    expect(text).toContain('Zakład Stolarski Świątek');
  });

  it('answers a member whose role has billing.view, and refuses one without it', async () => {
    expect((await download(invoice.paymentId, viewer.accessToken)).status).toBe(200);
    expect((await download(invoice.paymentId, member.accessToken)).status).toBe(403);
  });

  it('answers 404 invoice_not_found for another organization’s payment, an unknown payment and a malformed id', async () => {
    for (const id of [invoice.paymentId, randomUUID(), 'not-a-uuid']) {
      const res = await download(id, b.accessToken);
      expect([res.status, res.json().code]).toEqual([404, 'invoice_not_found']);
    }
    expect((await download(randomUUID(), a.accessToken)).status).toBe(404);
  });
});

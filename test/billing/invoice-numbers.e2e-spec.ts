import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it as vitestIt } from 'vitest';
import { BillingDetailsService, type Invoice, InvoiceService, type PurchaseLine } from '@atrium/billing';
import { acrossTenants, RequestContext, withTenant } from '@atrium/platform';
import { registerOrg } from '../support/factories.js';
import { pdfText } from '../support/pdf-text.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let ds: DataSource;
let invoices: InvoiceService;

const LINES: PurchaseLine[] = [{ description: 'Basic package, 1 month', quantity: 1, unitMinor: 1900, totalMinor: 1900 }];

/**
 * These cases drive the billing services directly, below any request, as a job would: on the app's own connections
 * (row-level security on), across tenants; `issue` enters the invoice's organization.
 */
const it = (name: string, fn: () => Promise<void>) => vitestIt(name, () => acrossTenants(fn));
let owner: DataSource;

beforeAll(async () => {
  // A pool as large as the concurrency below, so the twenty issuers really hold twenty transactions at once.
  t = await startTestApp({ DATABASE_POOL_SIZE: '24' });
  ds = t.app.get(DataSource);
  owner = t.db;
  invoices = t.app.get(InvoiceService);
});
afterAll(async () => {
  await t?.close();
});

const newOrganization = async () => (await registerOrg(t.http)).organizationId;

/** Issues an invoice for a new payment in a transaction of its own, in the organization's scope (row-level security). */
function issue(organizationId: string, issuedAt = new Date('2026-05-04T12:00:00Z'), paymentId: string = randomUUID()): Promise<Invoice> {
  return withTenant(organizationId, () =>
    ds.transaction((em) => invoices.issue(em, { organizationId, paymentId, currency: 'USD', lines: LINES, issuedAt })),
  );
}

/** Polls until a statement on the invoice counters waits on a lock (the second issuer queued behind the first). */
async function untilSomeoneWaitsOnALock(): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [{ n }] = await owner.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%invoice_counters%'`,
    );
    if (n > 0) return;
    if (Date.now() > deadline) throw new Error('no issuer started waiting on the invoice counter');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('invoice numbers', () => {
  it('are INV-<year>-<6-digit seq>, gap-free and distinct under 20 concurrent issues for one organization', async () => {
    const org = await newOrganization();
    const issued = await Promise.all(Array.from({ length: 20 }, () => issue(org)));
    expect(issued.map((i) => i.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(issued.map((i) => i.number)).size).toBe(20);
    expect(issued.map((i) => i.number)).toContain('INV-2026-000001');
    expect(issued.map((i) => i.number)).toContain('INV-2026-000020');
    expect((await issue(org)).number).toBe('INV-2026-000021');
  });

  it('leave no gap when the issuing transaction rolls back: the next invoice gets the rolled-back number', async () => {
    const org = await newOrganization();
    expect((await issue(org)).number).toBe('INV-2026-000001');
    let rolledBack = '';
    await expect(
      ds.transaction(async (em) => {
        rolledBack = (
          await invoices.issue(em, {
            organizationId: org,
            paymentId: randomUUID(),
            currency: 'USD',
            lines: LINES,
            issuedAt: new Date('2026-05-05T00:00:00Z'),
          })
        ).number;
        throw new Error('the payment could not be activated');
      }),
    ).rejects.toThrow('the payment could not be activated');
    expect(rolledBack).toBe('INV-2026-000002');
    expect((await issue(org)).number).toBe('INV-2026-000002');
  });

  it('count per organization: another organization starts at 1 whatever the first has issued', async () => {
    const [a, b] = await Promise.all([newOrganization(), newOrganization()]);
    await issue(a);
    await issue(a);
    expect((await issue(b)).number).toBe('INV-2026-000001');
    expect((await issue(a)).number).toBe('INV-2026-000003');
    expect((await issue(b)).number).toBe('INV-2026-000002');
  });

  it('restart at 1 in a new UTC year', async () => {
    const org = await newOrganization();
    expect((await issue(org, new Date('2026-12-31T23:59:59Z'))).number).toBe('INV-2026-000001');
    // 23:30 on 31 December in New York is already 2027 in UTC.
    const newYear = await issue(org, new Date('2026-12-31T23:30:00-05:00'));
    expect([newYear.number, newYear.year, newYear.seq]).toEqual(['INV-2027-000001', 2027, 1]);
    expect((await issue(org, new Date('2027-01-02T00:00:00Z'))).number).toBe('INV-2027-000002');
    expect((await issue(org, new Date('2026-12-31T12:00:00Z'))).number).toBe('INV-2026-000002');
  });
});

describe('InvoiceService.issue', () => {
  it('is idempotent per payment: a second call answers the same invoice and takes no number', async () => {
    const org = await newOrganization();
    const paymentId = randomUUID();
    const first = await issue(org, undefined, paymentId);
    const again = await issue(org, new Date('2026-06-01T00:00:00Z'), paymentId);
    expect([again.id, again.number]).toEqual([first.id, first.number]);
    expect((await issue(org)).number).toBe('INV-2026-000002');
    const [{ n }] = await ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM invoices WHERE payment_id = $1`, [paymentId]);
    expect(n).toBe(1);
  });

  it('answers the invoice another transaction issued for the same payment meanwhile, and gives its number back', async () => {
    const org = await newOrganization();
    const paymentId = randomUUID();
    const input = { organizationId: org, paymentId, currency: 'USD', lines: LINES, issuedAt: new Date('2026-05-04T12:00:00Z') };
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let firstIssued!: () => void;
    const issuedInFirst = new Promise<void>((r) => (firstIssued = r));
    const first = ds.transaction(async (em: EntityManager) => {
      const invoice = await invoices.issue(em, input);
      firstIssued();
      await held;
      return invoice;
    });
    await issuedInFirst;
    // The second looks before the first commits (sees no invoice), then queues on the organization's counter row.
    const second = ds.transaction((em) => invoices.issue(em, input));
    await untilSomeoneWaitsOnALock();
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(b.id).toBe(a.id);
    expect((await issue(org)).number).toBe('INV-2026-000002');
  });

  it('refuses to issue a payment’s invoice under another organization than the one it was issued for', async () => {
    const [a, b] = await Promise.all([newOrganization(), newOrganization()]);
    const paymentId = randomUUID();
    await issue(a, undefined, paymentId);
    await expect(issue(b, undefined, paymentId)).rejects.toThrow(/another organization/);
    expect((await issue(b)).number).toBe('INV-2026-000001');
  });

  it('refuses lines the pricing module does not add up to, and an unknown currency, taking no number', async () => {
    const org = await newOrganization();
    const bad = (lines: PurchaseLine[], currency = 'USD') =>
      ds.transaction((em) =>
        invoices.issue(em, { organizationId: org, paymentId: randomUUID(), currency, lines, issuedAt: new Date('2026-05-04T12:00:00Z') }),
      );
    await expect(bad([{ description: 'Members add-on', quantity: 3, unitMinor: 1000, totalMinor: 2000 }])).rejects.toThrow(
      /3 × 1000 is 3000/,
    );
    await expect(bad([{ description: 'Credit', quantity: 1, unitMinor: -500, totalMinor: -500 }])).rejects.toThrow(/negative/);
    await expect(bad(LINES, 'XYZ')).rejects.toThrow(/unknown currency/);
    expect((await issue(org)).number).toBe('INV-2026-000001');
  });

  it('freezes the billing details: changing them after issue changes neither the invoice nor its PDF', async () => {
    const org = await newOrganization();
    const ctx = new RequestContext('test', undefined, org, ['billing.manage'], { authMethod: 'system' });
    const details = t.app.get(BillingDetailsService);
    await details.update(ctx, { legal_name: 'Łukasz Żółkiewski Consulting', email: 'lz@example.test', city: 'Kraków', country: 'PL' });
    const issued = await issue(org);
    await details.update(ctx, { legal_name: 'Renamed Ltd', email: 'renamed@example.test', city: 'Leeds', country: 'GB' });

    const stored = await invoices.forPayment(ctx, issued.paymentId);
    expect(stored.billingDetails).toMatchObject({
      legal_name: 'Łukasz Żółkiewski Consulting',
      email: 'lz@example.test',
      city: 'Kraków',
      country: 'PL',
    });
    const text = pdfText(await invoices.render(stored));
    expect(text).toContain('Łukasz Żółkiewski Consulting');
    expect(text).not.toContain('Renamed Ltd');
    // The next invoice names the new details.
    expect((await issue(org)).billingDetails.legal_name).toBe('Renamed Ltd');
  });

  it('names the organization and its email when no billing details were ever set', async () => {
    const owner = await registerOrg(t.http, { organization_name: 'Straße & Söhne' });
    const issued = await issue(owner.organizationId);
    expect(issued.billingDetails).toMatchObject({ legal_name: 'Straße & Söhne', email: owner.email, country: null });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue, eventually, finalStatus, upgradePayment } from '../support/billing.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { freePort } from '../support/free-port.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The headline flow in a real browser: a quote, `POST /payments` (sandbox), Chromium opens `checkout_url`,
 * types the test card and clicks Pay; the signed callback arrives through the queue and the package changes; the
 * invoice PDF downloads. The declined card leaves the package as it was and the payment failed.
 */
let t: TestApp;
let browser: TestBrowser;
let ids: Awaited<ReturnType<typeof catalogue>>;

const auth = (org: RegisteredOrg) => ({ token: org.accessToken });

beforeAll(async () => {
  t = await startTestApp({}, { port: await freePort() });
  browser = await launchBrowser();
  ids = await catalogue(t);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function startUpgrade(org: RegisteredOrg) {
  const { quote, res } = await upgradePayment(t, org.accessToken, { package_id: ids.pkg.platinum, period: '1_year', amount: 490 });
  expect(quote.amount_due.amount_minor).toBe(49000);
  expect(res.status).toBe(201);
  return res.body.data;
}

async function payInBrowser(checkoutUrl: string, card: string) {
  const page = await browser.open(checkoutUrl);
  expect(await page.textContent('body')).toContain('$490.00');
  await page.fill('#card_number', card);
  await page.click('button[value=pay]');
  await page.locator('#outcome').waitFor();
  return page;
}

describe('checkout in Chromium', () => {
  it('quote → payment → pay with 4242 → the package and its limits change → the invoice PDF downloads', async () => {
    const org = await registerOrg(t.http);
    const payment = await startUpgrade(org);
    const page = await payInBrowser(payment.checkout_url, '4242 4242 4242 4242');
    expect(await page.locator('#outcome').textContent()).toContain('Payment succeeded');

    const view = await eventually(async () => {
      const v = (await t.http.get('/organizations/me/package', auth(org))).body.data;
      return v.package.slug === 'platinum' ? v : undefined;
    }, 'the package to become Platinum');
    expect(view.subscription).toMatchObject({ period: '1_year', amount_minor: 49000 });
    expect(view.entitlements.find((e: any) => e.key === 'members')).toMatchObject({ limit: 100 });
    expect(view.entitlements.find((e: any) => e.key === 'audit_export')).toMatchObject({ included: true });

    const paid = await finalStatus(t, org.accessToken, payment.id);
    expect(paid.status).toBe('succeeded');
    const pdf = await page.context().request.get(`${t.http.baseUrl}/payments/${payment.id}/invoice`, {
      headers: { authorization: `Bearer ${org.accessToken}` },
    });
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    expect(pdf.headers()['content-disposition']).toMatch(/attachment; filename="INV-\d{4}-\d{6}\.pdf"/);
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('the declined card leaves the package unchanged and the payment failed', async () => {
    const org = await registerOrg(t.http);
    const payment = await startUpgrade(org);
    const page = await payInBrowser(payment.checkout_url, '4000 0000 0000 0002');
    expect(await page.locator('#outcome').textContent()).toContain('declined');
    const failed = await finalStatus(t, org.accessToken, payment.id);
    expect(failed).toMatchObject({ status: 'failed', failure_code: 'card_declined' });
    const view = (await t.http.get('/organizations/me/package', auth(org))).body.data;
    expect(view.package.slug).toBe('free');
    expect(view.entitlements.find((e: any) => e.key === 'members')).toMatchObject({ limit: 5 });
  });
});

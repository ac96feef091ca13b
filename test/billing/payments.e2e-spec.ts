import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingConfig, signSandboxPayload } from '@atrium/billing';
import { catalogue, eventually, finalStatus, payOnCheckoutPage, upgradePayment } from '../support/billing.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { freePort } from '../support/free-port.js';
import { Mailbox } from '../support/mailbox.js';
import { createMember, dataSource } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let mailbox: Mailbox;
let ids: Awaited<ReturnType<typeof catalogue>>;

const auth = (org: RegisteredOrg) => ({ token: org.accessToken });
const count = async (sql: string, params: unknown[]) => Number((await dataSource(t).query(sql, params))[0].n);

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  t = await startTestApp({ SMTP_URL: mailbox.url }, { port: await freePort() });
  ids = await catalogue(t);
});
afterAll(async () => {
  await t?.close();
  await mailbox?.stop();
});

/** An upgrade to Basic for a year, quoted and started on the sandbox gateway (`extra`: more body fields). */
const upgradeToBasic = (org: RegisteredOrg, extra: object = {}) =>
  upgradePayment(t, org.accessToken, { package_id: ids.pkg.basic, period: '1_year', ...extra });

describe('sandbox payments over HTTP', () => {
  it('pays an upgrade on the checkout page: the callback applies the package once, issues the invoice and mails the receipt', async () => {
    const org = await registerOrg(t.http);
    const { res } = await upgradeToBasic(org, { amount: 190.0, description: 'Upgrade to Basic' });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ status: 'pending', gateway: 'sandbox', amount: 190, amount_minor: 19000, currency: 'USD' });
    expect(res.body.data.checkout_url).toMatch(/\/api\/v1\/sandbox\/checkout\//);
    expect(res.body.data.transaction_id).toMatch(/^sbx_ch_/);

    const page = await payOnCheckoutPage(res.body.data.checkout_url, '4242 4242 4242 4242');
    expect(page.status).toBe(200);
    const paid = await finalStatus(t, org.accessToken, res.body.data.id);
    expect(paid).toMatchObject({ status: 'succeeded', failure_code: null });

    const view = (await t.http.get('/organizations/me/package', auth(org))).body.data;
    expect(view.package.slug).toBe('basic');
    expect(view.subscription).toMatchObject({ period: '1_year', amount_minor: 19000, status: 'active' });
    expect(view.entitlements.find((e: any) => e.key === 'members').limit).toBe(25);

    const invoice = await fetch(`${t.http.baseUrl}/payments/${paid.id}/invoice`, {
      headers: { authorization: `Bearer ${org.accessToken}` },
    });
    expect(invoice.status).toBe(200);
    expect(invoice.headers.get('content-type')).toContain('application/pdf');
    expect(
      Buffer.from(await invoice.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');

    const mail = await mailbox.waitFor(org.email, /Receipt/);
    expect(mail.text).toContain(`/api/v1/payments/${paid.id}/invoice`);
    expect(await count(`SELECT count(*) AS n FROM audit_logs WHERE resource_id = $1 AND action = 'payment.succeeded'`, [paid.id])).toBe(1);

    // The verify path after the callback: nothing more happens.
    const verify = await t.http.post('/payments/verify', { payment_id: paid.id, transaction_id: paid.transaction_id }, auth(org));
    expect(verify.status).toBe(200);
    expect(verify.body.data).toMatchObject({ status: 'succeeded', outcome: 'already_final' });
    expect(await count(`SELECT count(*) AS n FROM invoices WHERE payment_id = $1`, [paid.id])).toBe(1);
  });

  it('a declined card marks the payment failed, keeps the package and mails the failure', async () => {
    const org = await registerOrg(t.http);
    const { res } = await upgradeToBasic(org);
    await payOnCheckoutPage(res.body.data.checkout_url, '4000 0000 0000 0002');
    const failed = await finalStatus(t, org.accessToken, res.body.data.id);
    expect(failed).toMatchObject({ status: 'failed', failure_code: 'card_declined' });
    expect((await t.http.get('/organizations/me/package', auth(org))).body.data.package.slug).toBe('free');
    expect((await t.http.get(`/payments/${failed.id}/invoice`, auth(org))).status).toBe(404);
    await mailbox.waitFor(org.email, /Payment failed/);
  });

  it('verify and the callback racing apply the purchase once', async () => {
    const org = await registerOrg(t.http);
    const { res } = await upgradeToBasic(org);
    await payOnCheckoutPage(res.body.data.checkout_url, '4242 4242 4242 4242');
    const body = { payment_id: res.body.data.id, transaction_id: res.body.data.transaction_id };
    const verifies = await Promise.all([1, 2, 3].map(() => t.http.post('/payments/verify', body, auth(org))));
    expect(verifies.map((v) => v.status)).toEqual([200, 200, 200]);
    await finalStatus(t, org.accessToken, res.body.data.id);
    // Wait for the queued callback too, then count what happened.
    await eventually(
      async () =>
        (await count(`SELECT count(*) AS n FROM sandbox_events WHERE delivered_at IS NOT NULL AND charge_id = $1`, [body.transaction_id])) >
        0
          ? true
          : undefined,
      'the sandbox callback',
    );
    expect(verifies.filter((v) => v.body.data.outcome === 'succeeded').length).toBeLessThanOrEqual(1);
    expect(
      await count(`SELECT count(*) AS n FROM audit_logs WHERE resource_id = $1 AND action = 'payment.succeeded'`, [body.payment_id]),
    ).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM invoices WHERE payment_id = $1`, [body.payment_id])).toBe(1);
    expect(
      await count(`SELECT count(*) AS n FROM outbox_events WHERE name = 'billing.payment_succeeded' AND payload->>'payment_id' = $1`, [
        body.payment_id,
      ]),
    ).toBe(1);
  });

  it('the same signed callback delivered three times at once is stored once and changes state once', async () => {
    const org = await registerOrg(t.http);
    const { res } = await upgradeToBasic(org);
    await payOnCheckoutPage(res.body.data.checkout_url, '4242 4242 4242 4242');
    const [event] = await dataSource(t).query(`SELECT payload FROM sandbox_events WHERE charge_id = $1`, [res.body.data.transaction_id]);
    const raw = JSON.stringify(event.payload);
    const secret = t.app.get(BillingConfig).sandbox!.webhookSecret;
    const deliveries = await Promise.all(
      [1, 2, 3].map(() =>
        fetch(`${t.http.baseUrl}/payments/webhooks/sandbox`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': signSandboxPayload(raw, secret, new Date()) },
          body: raw,
        }).then(async (r) => ({ status: r.status, body: await r.json() })),
      ),
    );
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    await finalStatus(t, org.accessToken, res.body.data.id);
    expect(await count(`SELECT count(*) AS n FROM payment_events WHERE gateway = 'sandbox' AND event_id = $1`, [event.payload.id])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM invoices WHERE payment_id = $1`, [res.body.data.id])).toBe(1);
    expect(
      await count(`SELECT count(*) AS n FROM audit_logs WHERE resource_id = $1 AND action = 'payment.succeeded'`, [res.body.data.id]),
    ).toBe(1);
  });

  it('refuses a tampered or unsigned sandbox callback with 400 and stores nothing', async () => {
    const before = await count(`SELECT count(*) AS n FROM payment_events`, []);
    const secret = t.app.get(BillingConfig).sandbox!.webhookSecret;
    const raw = JSON.stringify({
      id: 'evt_sbx_forged',
      object: 'event',
      type: 'charge.succeeded',
      created: 1,
      data: { object: { id: 'sbx_ch_x' } },
    });
    const post = (body: string, signature?: string) =>
      fetch(`${t.http.baseUrl}/payments/webhooks/sandbox`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
        body,
      });
    expect((await post(raw)).status).toBe(400);
    expect((await post(raw.replace('sbx_ch_x', 'sbx_ch_y'), signSandboxPayload(raw, secret, new Date()))).status).toBe(400);
    expect((await post(raw, signSandboxPayload(raw, 'wrong-secret', new Date()))).status).toBe(400);
    expect(await count(`SELECT count(*) AS n FROM payment_events`, [])).toBe(before);
  });
});

describe('POST /payments rules', () => {
  it('refuses an amount that differs from the server price, and creates nothing', async () => {
    const org = await registerOrg(t.http);
    const { res } = await upgradeToBasic(org, { amount: 189.99 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'amount_mismatch', details: { field: 'amount', expected_minor: 19000 } });
    expect((await t.http.get('/payments', auth(org))).body.total).toBe(0);
  });

  it('refuses mass assignment of status, organization and amount_minor', async () => {
    const org = await registerOrg(t.http);
    const res = await t.http.post(
      '/payments',
      {
        gateway: 'sandbox',
        payment_type: 'package_upgrade',
        package_id: ids.pkg.basic,
        period: '1_month',
        status: 'succeeded',
        organization_id: org.organizationId,
        amount_minor: 1,
      },
      auth(org),
    );
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: any) => d.field).sort()).toEqual(['amount_minor', 'organization_id', 'status']);
  });

  it('names missing purchase fields and refuses a downgrade or a quote already used', async () => {
    const org = await registerOrg(t.http);
    const missing = await t.http.post('/payments', { gateway: 'sandbox', payment_type: 'package_upgrade' }, auth(org));
    expect(missing.status).toBe(400);
    expect(missing.body.details.map((d: any) => d.field).sort()).toEqual(['package_id', 'period']);
    const { quote, res } = await upgradeToBasic(org);
    expect(res.status).toBe(201);
    const reuse = await t.http.post(
      '/payments',
      { gateway: 'sandbox', payment_type: 'package_upgrade', package_id: ids.pkg.basic, period: '1_year', quote_id: quote.quote_id },
      auth(org),
    );
    expect(reuse.status).toBe(409);
    expect(reuse.body.code).toBe('quote_used');
    const notAToken = await t.http.post(
      '/payments',
      { gateway: 'sandbox', payment_type: 'package_upgrade', package_id: ids.pkg.basic, period: '1_year', quote_id: res.body.data.id },
      auth(org),
    );
    expect(notAToken.status).toBe(400);
    expect(notAToken.body).toMatchObject({ code: 'validation_failed', details: [{ field: 'quote_id' }] });
    const stripe = await t.http.post(
      '/payments',
      { gateway: 'stripe', payment_type: 'package_upgrade', package_id: ids.pkg.basic, period: '1_year' },
      auth(org),
    );
    expect(stripe.status).toBe(400);
    expect(stripe.body.code).toBe('gateway_unavailable');
  });

  it("another organization's payment is a 404; reading needs billing.view, paying billing.manage", async () => {
    const org = await registerOrg(t.http);
    const other = await registerOrg(t.http);
    const { res } = await upgradeToBasic(org);
    expect((await t.http.get(`/payments/${res.body.data.id}`, auth(other))).status).toBe(404);
    const verify = await t.http.post(
      '/payments/verify',
      { payment_id: res.body.data.id, transaction_id: res.body.data.transaction_id },
      auth(other),
    );
    expect(verify.status).toBe(404);
    expect((await t.http.get(`/payments/${res.body.data.id}/invoice`, auth(other))).status).toBe(404);

    const admin = await createMember(t, org, 'admin');
    const member = await createMember(t, org, 'member');
    expect((await t.http.get('/payments', { token: admin.accessToken })).status).toBe(200);
    expect((await t.http.get('/payments', { token: member.accessToken })).status).toBe(403);
    const pay = await t.http.post(
      '/payments',
      { gateway: 'sandbox', payment_type: 'package_upgrade', package_id: ids.pkg.basic, period: '1_month' },
      { token: admin.accessToken },
    );
    expect(pay.status).toBe(403);
  });

  it('lists payments in the house shape, filtered by status', async () => {
    const org = await registerOrg(t.http);
    const { res } = await upgradeToBasic(org);
    await t.http.post('/organizations/me/features', { feature_id: ids.feature.calls }, auth(org));
    const all = await t.http.get('/payments?page=1&limit=1', auth(org));
    expect(all.body).toMatchObject({ total: 2, page: 1, limit: 1, totalPages: 2 });
    expect(all.body.data[0].payment_type).toBe('feature_purchase');
    const pending = await t.http.get('/payments?status=succeeded', auth(org));
    expect(pending.body.total).toBe(0);
    expect((await t.http.get('/payments?status=bogus', auth(org))).status).toBe(400);
    expect(res.body.data.lines).toEqual([expect.objectContaining({ quantity: 1, unit_minor: 19000, total_minor: 19000 })]);
  });
});

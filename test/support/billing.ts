import type { HttpResponse } from './http-client.js';
import { dataSource } from './members.js';
import type { TestApp } from './test-app.js';

/** Package ids by slug and feature ids by key, from the catalogue routes. */
export async function catalogue(t: TestApp): Promise<{ pkg: Record<string, number>; feature: Record<string, number> }> {
  const packages = (await t.http.get('/packages')).body.data as Array<{ id: number; slug: string }>;
  const features = (await t.http.get('/packages/features')).body.data as Array<{ id: number; key: string }>;
  return {
    pkg: Object.fromEntries(packages.map((p) => [p.slug, p.id])),
    feature: Object.fromEntries(features.map((f) => [f.key, f.id])),
  };
}

/**
 * Puts the organization on a paid package with a current period, as a payment would have: what the period cost and
 * when it runs. (The upgrade flow itself is tested through payments; this sets up the "already paying" state.)
 */
export async function setPaidPeriod(
  t: TestApp,
  organizationId: string,
  p: { slug: string; period: string; amountMinor: number; start: Date; end: Date },
): Promise<void> {
  await dataSource(t).query(
    `UPDATE organization_subscriptions SET package_id = (SELECT id FROM packages WHERE slug = $2), period = $3, amount_minor = $4,
            currency = 'USD', current_period_start = $5, current_period_end = $6, status = 'active', scheduled_change = NULL
      WHERE organization_id = $1`,
    [organizationId, p.slug, p.period, p.amountMinor, p.start, p.end],
  );
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Quotes an upgrade to `purchase.package_id` for `purchase.period` as `token`'s organization, then starts its payment
 * through the sandbox gateway with that quote (other body fields from `purchase`). Answers the quote and the answer to
 * `POST /payments` (checked by the caller: some expect a refusal).
 */
export async function upgradePayment(
  t: TestApp,
  token: string,
  purchase: { package_id: number; period: string } & Record<string, unknown>,
): Promise<{ quote: any; res: HttpResponse }> {
  const quote = await t.http.post(
    '/organizations/me/package/calculate-upgrade-price',
    { package_id: purchase.package_id, period: purchase.period },
    { token },
  );
  const res = await t.http.post(
    '/payments',
    { gateway: 'sandbox', payment_type: 'package_upgrade', quote_id: quote.body.data.quote_id, ...purchase },
    { token },
  );
  return { quote: quote.body.data, res };
}

/** Submits the sandbox checkout page's form over HTTP, as a browser without script would. */
export async function payOnCheckoutPage(
  checkoutUrl: string,
  card: string,
  action: 'pay' | 'cancel' = 'pay',
): Promise<{ status: number; html: string }> {
  const res = await fetch(checkoutUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ action, card_number: card }).toString(),
  });
  return { status: res.status, html: await res.text() };
}

/** The payment's status once it leaves `pending` (the callback arrived and was applied). */
export async function finalStatus(t: TestApp, token: string, paymentId: string, timeoutMs = 15_000): Promise<any> {
  return eventually(
    async () => {
      const res = await t.http.get(`/payments/${paymentId}`, { token });
      return res.body.data?.status && res.body.data.status !== 'pending' ? res.body.data : undefined;
    },
    `payment ${paymentId} to leave pending`,
    timeoutMs,
  );
}

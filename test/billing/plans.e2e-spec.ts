import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addMonths, unusedCredit, addonCharge } from '@atrium/billing';
import { catalogue, eventually, finalStatus, payOnCheckoutPage, setPaidPeriod } from '../support/billing.js';
import { controlClock } from '../support/clock.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { freePort } from '../support/free-port.js';
import { createMember, dataSource } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let ids: Awaited<ReturnType<typeof catalogue>>;
let clock: ReturnType<typeof controlClock> | undefined;

const DAY = 24 * 60 * 60 * 1000;
const auth = (org: RegisteredOrg) => ({ token: org.accessToken });
const pkgView = async (org: RegisteredOrg) => (await t.http.get('/organizations/me/package', auth(org))).body.data;
const limitOf = (view: any, key: string) => view.entitlements.find((e: any) => e.key === key).limit;
const quoteFor = async (org: RegisteredOrg, body: object, app: TestApp = t) =>
  (await app.http.post('/organizations/me/package/calculate-upgrade-price', body, auth(org))).body.data;
/** Pays for the upgrade `quote` prices (PUT /organizations/me/package, then the sandbox's checkout page with the card that succeeds). */
const payForUpgrade = async (org: RegisteredOrg, quote: { package_id: number; period: string; quote_id: string }) => {
  const pay = await t.http.put(
    '/organizations/me/package',
    { package_id: quote.package_id, period: quote.period, quote_id: quote.quote_id },
    auth(org),
  );
  expect(pay.status).toBe(201);
  expect((await payOnCheckoutPage(pay.body.data.checkout_url, '4242 4242 4242 4242')).status).toBe(200);
  expect((await finalStatus(t, org.accessToken, pay.body.data.id)).status).toBe('succeeded');
};
const usedQuotes = async (org: RegisteredOrg) =>
  dataSource(t).query(`SELECT id, payment_id FROM billing_quotes WHERE organization_id = $1 ORDER BY used_at`, [org.organizationId]);
/** The token with one character of its payload changed (still the shape of a token). */
const tampered = (token: string) => {
  const i = token.indexOf('.') + 5;
  return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
};

beforeAll(async () => {
  // Listening on a known port makes PUBLIC_URL real, so the sandbox's callbacks reach this app.
  t = await startTestApp({}, { port: await freePort() });
  ids = await catalogue(t);
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => {
  clock?.release();
  clock = undefined;
});

describe('POST /organizations/me/package/calculate-upgrade-price', () => {
  it('quotes the list price with no credit on Free, the new period from now, valid 30 minutes', async () => {
    const org = await registerOrg(t.http);
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    clock = controlClock(t, now);
    const res = await t.http.post(
      '/organizations/me/package/calculate-upgrade-price',
      { package_id: ids.pkg.basic, period: '1_year' },
      auth(org),
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      package_id: ids.pkg.basic,
      period: '1_year',
      list_price: { amount: 190, amount_minor: 19000, currency: 'USD' },
      credit: { amount: 0, amount_minor: 0, currency: 'USD' },
      amount_due: { amount: 190, amount_minor: 19000, currency: 'USD' },
      period_start: now.toISOString(),
      period_end: addMonths(now, 12).toISOString(),
      expires_at: new Date(now.getTime() + 30 * 60 * 1000).toISOString(),
    });
    // An opaque signed token, and nothing stored: a quote is a read.
    expect(res.body.data.quote_id).toMatch(/^q1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(res.body.data.quote_id.length).toBeLessThanOrEqual(600);
    expect(await usedQuotes(org)).toEqual([]);
  });

  it('credits the unused part of what the current period cost, by the second', async () => {
    const org = await registerOrg(t.http);
    const start = new Date('2027-03-01T00:00:00Z');
    const end = new Date('2027-04-01T00:00:00Z');
    await setPaidPeriod(t, org.organizationId, { slug: 'basic', period: '1_month', amountMinor: 1900, start, end });
    const at = new Date(start.getTime() + 10 * DAY + 1000);
    clock = controlClock(t, at);
    const q1 = await t.http.post(
      '/organizations/me/package/calculate-upgrade-price',
      { package_id: ids.pkg.platinum, period: '1_month' },
      auth(org),
    );
    const credit1 = unusedCredit({ amountMinor: 1900, start, end }, at);
    expect(q1.body.data.credit.amount_minor).toBe(credit1);
    expect(q1.body.data.amount_due.amount_minor).toBe(4900 - credit1);
    // 21 days left of 31: a little under 21/31 of 19.00.
    expect(credit1).toBe(Math.ceil((1900 * (end.getTime() - at.getTime())) / (end.getTime() - start.getTime())));

    clock.advance(6 * 60 * 60 * 1000);
    const q2 = await t.http.post(
      '/organizations/me/package/calculate-upgrade-price',
      { package_id: ids.pkg.platinum, period: '1_month' },
      auth(org),
    );
    expect(q2.body.data.credit.amount_minor).toBe(unusedCredit({ amountMinor: 1900, start, end }, clock.now()));
    expect(q2.body.data.credit.amount_minor).toBeLessThan(credit1);

    // The last second of the period still credits what is left of it (rounded up to a cent).
    clock.set(new Date(end.getTime() - 1000));
    const last = await t.http.post(
      '/organizations/me/package/calculate-upgrade-price',
      { package_id: ids.pkg.platinum, period: '1_month' },
      auth(org),
    );
    expect(last.body.data.credit.amount_minor).toBe(1);
  });

  it('prices each quote from the subscription as it is now, however it changed since the last quote', async () => {
    const org = await registerOrg(t.http);
    const quote = () => quoteFor(org, { package_id: ids.pkg.platinum, period: '1_month' });
    const start = new Date('2027-03-01T00:00:00Z');
    const end = new Date('2027-04-01T00:00:00Z');
    clock = controlClock(t, new Date(start.getTime() + 10 * DAY));
    expect((await quote()).credit.amount_minor).toBe(0);

    // Changed behind the app's back (as a payment on another instance would): the next quote credits the paid period.
    await setPaidPeriod(t, org.organizationId, { slug: 'basic', period: '1_month', amountMinor: 1900, start, end });
    const paid = await quote();
    expect(paid.credit.amount_minor).toBe(unusedCredit({ amountMinor: 1900, start, end }, clock.now()));
    expect((await quote()).credit.amount_minor).toBe(paid.credit.amount_minor);

    // Only what the period cost changed; then only its end, stored with microseconds.
    await setPaidPeriod(t, org.organizationId, { slug: 'basic', period: '1_month', amountMinor: 2900, start, end });
    expect((await quote()).credit.amount_minor).toBe(unusedCredit({ amountMinor: 2900, start, end }, clock.now()));
    await dataSource(t).query(
      `UPDATE organization_subscriptions SET current_period_end = '2027-03-21T00:00:00.000250Z' WHERE organization_id = $1`,
      [org.organizationId],
    );
    const shorter = new Date('2027-03-21T00:00:00Z');
    expect((await quote()).credit.amount_minor).toBe(unusedCredit({ amountMinor: 2900, start, end: shorter }, clock.now()));

    // Back on Free: no credit again.
    await dataSource(t).query(
      `UPDATE organization_subscriptions SET package_id = $2, period = NULL, amount_minor = 0, current_period_start = NULL,
              current_period_end = NULL WHERE organization_id = $1`,
      [org.organizationId, ids.pkg.free],
    );
    expect((await quote()).credit.amount_minor).toBe(0);
    expect(await usedQuotes(org)).toEqual([]);
  });

  it('a change of the subscription made through another instance shows in the very next quote here', async () => {
    // Each instance keeps an organization's terms between quotes; B quotes Free (no credit) twice before the change.
    const b = await startTestApp();
    try {
      const org = await registerOrg(t.http);
      const platinumOnB = () => quoteFor(org, { package_id: ids.pkg.platinum, period: '1_month' }, b);
      const bClock = controlClock(b, new Date(Date.now() + 3 * DAY));
      try {
        expect((await platinumOnB()).credit.amount_minor).toBe(0);
        expect((await platinumOnB()).credit.amount_minor).toBe(0);

        // Basic for a month, bought and paid through instance A.
        await payForUpgrade(org, await quoteFor(org, { package_id: ids.pkg.basic, period: '1_month' }));

        // At once on B: the credit for the unused part of the paid month, at B's now.
        const [paid] = await dataSource(t).query(
          `SELECT amount_minor::int AS amount, current_period_start AS start, current_period_end AS "end"
             FROM organization_subscriptions WHERE organization_id = $1`,
          [org.organizationId],
        );
        expect(paid.amount).toBe(1900);
        const after = await platinumOnB();
        expect(after.credit.amount_minor).toBe(unusedCredit({ amountMinor: 1900, start: paid.start, end: paid.end }, bClock.now()));
        expect(after.credit.amount_minor).toBeGreaterThan(0);
      } finally {
        bClock.release();
      }
    } finally {
      await b.close();
    }
  });

  it('names what is wrong: unknown package (404), period, custom months, the free package (400)', async () => {
    const org = await registerOrg(t.http);
    const quote = (body: object) => t.http.post('/organizations/me/package/calculate-upgrade-price', body, auth(org));
    const unknown = await quote({ package_id: 99999, period: '1_month' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'package_not_found', message: 'Package 99999 not found' });
    const badPeriod = await quote({ package_id: ids.pkg.basic, period: '2_years' });
    expect(badPeriod.status).toBe(400);
    expect(badPeriod.body.details.map((d: any) => d.field)).toEqual(['period']);
    const tooLong = await quote({ package_id: ids.pkg.basic, period: 'custom', custom_months: 37 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.details.map((d: any) => d.field)).toEqual(['custom_months']);
    const missing = await quote({ package_id: ids.pkg.basic, period: 'custom' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'period_invalid', details: { field: 'custom_months' } });
    const free = await quote({ package_id: ids.pkg.free, period: '1_month' });
    expect(free.status).toBe(400);
    expect(free.body).toMatchObject({ code: 'package_not_purchasable', details: { field: 'package_id' } });
    const custom = await quote({ package_id: ids.pkg.basic, period: 'custom', custom_months: 7 });
    expect(custom.body.data.list_price.amount_minor).toBe(Math.floor((10200 / 6) * 7));
  });

  it('a quote is used once, expires after 30 minutes, and is only its organization’s', async () => {
    const org = await registerOrg(t.http);
    const other = await registerOrg(t.http);
    clock = controlClock(t, new Date());
    const q = await quoteFor(org, { package_id: ids.pkg.basic, period: '1_month' });
    const body = { package_id: ids.pkg.basic, period: '1_month', quote_id: q.quote_id };

    const foreign = await t.http.put('/organizations/me/package', body, auth(other));
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('quote_not_found');
    const foreignPay = await t.http.post('/payments', { gateway: 'sandbox', payment_type: 'package_upgrade', ...body }, auth(other));
    expect(foreignPay.status).toBe(404);
    expect(foreignPay.body.code).toBe('quote_not_found');
    const forged = await t.http.put('/organizations/me/package', { ...body, quote_id: tampered(q.quote_id) }, auth(org));
    expect(forged.status).toBe(404);
    expect(forged.body.code).toBe('quote_not_found');
    const mismatch = await t.http.put('/organizations/me/package', { ...body, period: '1_year' }, auth(org));
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.code).toBe('quote_mismatch');

    clock.advance(30 * 60 * 1000 + 1000);
    const expired = await t.http.put('/organizations/me/package', body, auth(org));
    expect(expired.status).toBe(409);
    expect(expired.body.code).toBe('quote_expired');
    expect((await t.http.get('/payments', auth(org))).body.total).toBe(0);

    clock.set(new Date());
    const fresh = await quoteFor(org, { package_id: ids.pkg.basic, period: '1_month' });
    const first = await t.http.put('/organizations/me/package', { ...body, quote_id: fresh.quote_id }, auth(org));
    expect(first.status).toBe(201);
    expect(first.body.data).toMatchObject({ status: 'pending', amount_minor: 1900, gateway: 'sandbox' });
    const again = await t.http.put('/organizations/me/package', { ...body, quote_id: fresh.quote_id }, auth(org));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('quote_used');
    // The use is recorded under the token's own id, with the payment that took it.
    expect(await usedQuotes(org)).toEqual([{ id: first.body.data.purchase.quote_id, payment_id: first.body.data.id }]);
  });

  it('a quote is taken by one of two concurrent uses; the other is refused and leaves no payment', async () => {
    const org = await registerOrg(t.http);
    const q = await quoteFor(org, { package_id: ids.pkg.basic, period: '1_year' });
    const body = { package_id: ids.pkg.basic, period: '1_year', quote_id: q.quote_id };
    const answers = await Promise.all([
      t.http.put('/organizations/me/package', body, auth(org)),
      t.http.post('/payments', { gateway: 'sandbox', payment_type: 'package_upgrade', ...body }, auth(org)),
      t.http.put('/organizations/me/package', body, auth(org)),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
    expect(answers.filter((a) => a.status === 409).map((a) => a.body.code)).toEqual(['quote_used', 'quote_used']);
    const payments = (await t.http.get('/payments', auth(org))).body;
    expect(payments.total).toBe(1);
    expect(await usedQuotes(org)).toEqual([{ id: payments.data[0].purchase.quote_id, payment_id: payments.data[0].id }]);
  });

  it('a quote made before a successful upgrade is refused afterwards (409 quote_stale); a new one credits the new period', async () => {
    const org = await registerOrg(t.http);
    const platinum = await quoteFor(org, { package_id: ids.pkg.platinum, period: '1_month' });
    await payForUpgrade(org, await quoteFor(org, { package_id: ids.pkg.basic, period: '1_month' }));

    const body = { package_id: ids.pkg.platinum, period: '1_month', quote_id: platinum.quote_id };
    const stale = await t.http.put('/organizations/me/package', body, auth(org));
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'quote_stale', details: { field: 'quote_id' } });
    const stalePay = await t.http.post('/payments', { gateway: 'sandbox', payment_type: 'package_upgrade', ...body }, auth(org));
    expect(stalePay.status).toBe(409);
    expect(stalePay.body.code).toBe('quote_stale');
    expect((await t.http.get('/payments', auth(org))).body.total).toBe(1);

    const fresh = await quoteFor(org, { package_id: ids.pkg.platinum, period: '1_month' });
    expect(fresh.credit.amount_minor).toBeGreaterThan(0);
    const upgrade = await t.http.put('/organizations/me/package', { ...body, quote_id: fresh.quote_id }, auth(org));
    expect(upgrade.status).toBe(201);
    expect(upgrade.body.data.amount_minor).toBe(fresh.amount_due.amount_minor);
  });

  it('a payment racing a change of the subscription waits for it, then refuses the quote it no longer matches', async () => {
    const org = await registerOrg(t.http);
    const q = await quoteFor(org, { package_id: ids.pkg.basic, period: '1_month' });
    // Another transaction holds the subscription row (as a settlement applying a payment would) …
    const holder = dataSource(t).createQueryRunner();
    await holder.connect();
    try {
      await holder.startTransaction();
      await holder.query(`SELECT 1 FROM organization_subscriptions WHERE organization_id = $1 FOR UPDATE`, [org.organizationId]);
      const pending = t.http.post(
        '/payments',
        { gateway: 'sandbox', payment_type: 'package_upgrade', package_id: ids.pkg.basic, period: '1_month', quote_id: q.quote_id },
        auth(org),
      );
      // … the payment has passed the early checks and waits in its transaction for that row …
      await eventually(async () => {
        const [row] = await dataSource(t).query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%organization_subscriptions%FOR SHARE%'`,
        );
        return row.n > 0 ? true : undefined;
      }, 'the payment to wait for the subscription row');
      // … which changes and commits: the quote was priced from terms that are gone.
      await holder.query(
        `UPDATE organization_subscriptions SET package_id = $2, period = '1_month', amount_minor = 1900, current_period_start = now(),
                current_period_end = now() + interval '1 month' WHERE organization_id = $1`,
        [org.organizationId, ids.pkg.basic],
      );
      await holder.commitTransaction();
      const res = await pending;
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('quote_stale');
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
    expect((await t.http.get('/payments', auth(org))).body.total).toBe(0);
    expect(await usedQuotes(org)).toEqual([]);
  });
});

describe('PUT /organizations/me/package', () => {
  it('applies an upgrade the credit covers at once, with the new limits', async () => {
    const org = await registerOrg(t.http);
    const now = new Date();
    await setPaidPeriod(t, org.organizationId, {
      slug: 'platinum',
      period: '1_year',
      amountMinor: 49000,
      start: new Date(now.getTime() - DAY),
      end: addMonths(new Date(now.getTime() - DAY), 12),
    });
    const res = await t.http.put('/organizations/me/package', { package_id: ids.pkg.diamond, period: '1_month' }, auth(org));
    expect(res.status).toBe(200);
    expect(res.body.data.package.slug).toBe('diamond');
    expect(res.body.data.subscription).toMatchObject({ period: '1_month', amount_minor: 14900, scheduled_change: null });
    expect(limitOf(res.body.data, 'members')).toBeNull();
    const payments = await t.http.get('/payments', auth(org));
    expect(payments.body.total).toBe(0);
    // The quote it was priced by is recorded as used, by no payment.
    expect(await usedQuotes(org)).toEqual([{ id: expect.stringMatching(/^[0-9a-f-]{36}$/), payment_id: null }]);
  });

  it('schedules a downgrade for the period end, and cancels it when the current package is chosen again', async () => {
    const org = await registerOrg(t.http);
    const start = new Date();
    const end = addMonths(start, 12);
    await setPaidPeriod(t, org.organizationId, { slug: 'platinum', period: '1_year', amountMinor: 49000, start, end });
    const down = await t.http.put('/organizations/me/package', { package_id: ids.pkg.basic, period: '1_month' }, auth(org));
    expect(down.status).toBe(200);
    expect(down.body.data.package.slug).toBe('platinum');
    expect(down.body.data.subscription.scheduled_change).toEqual({
      package_id: ids.pkg.basic,
      package_slug: 'basic',
      period: '1_month',
      effective_at: end.toISOString(),
    });
    expect(limitOf(down.body.data, 'members')).toBe(100);

    const keep = await t.http.put('/organizations/me/package', { package_id: ids.pkg.platinum, period: '1_year' }, auth(org));
    expect(keep.status).toBe(200);
    expect(keep.body.data.subscription.scheduled_change).toBeNull();

    const toFree = await t.http.put('/organizations/me/package', { package_id: ids.pkg.free }, auth(org));
    expect(toFree.body.data.subscription.scheduled_change).toMatchObject({ package_slug: 'free', period: null });
  });

  it('refuses a downgrade below current usage, naming each limit; add-ons that continue count', async () => {
    const org = await registerOrg(t.http);
    await setPaidPeriod(t, org.organizationId, {
      slug: 'basic',
      period: '1_month',
      amountMinor: 1900,
      start: new Date(),
      end: addMonths(new Date(), 1),
    });
    for (let i = 0; i < 5; i++) await createMember(t, org, 'member');
    const res = await t.http.put('/organizations/me/package', { package_id: ids.pkg.free }, auth(org));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'usage_exceeds_limits', details: [{ resource: 'members', used: 6, limit: 5 }] });
    expect((await pkgView(org)).subscription.scheduled_change).toBeNull();

    await dataSource(t).query(`INSERT INTO organization_features (organization_id, feature_id, quantity) VALUES ($1, $2, 1)`, [
      org.organizationId,
      ids.feature.members,
    ]);
    const fits = await t.http.put('/organizations/me/package', { package_id: ids.pkg.free }, auth(org));
    expect(fits.status).toBe(200);
    expect(fits.body.data.subscription.scheduled_change.package_slug).toBe('free');
  });

  it('refuses a downgrade that fits only with an add-on ending at the period end (it lapses when the change applies)', async () => {
    const org = await registerOrg(t.http);
    const end = addMonths(new Date(), 1);
    await setPaidPeriod(t, org.organizationId, { slug: 'basic', period: '1_month', amountMinor: 1900, start: new Date(), end });
    for (let i = 0; i < 5; i++) await createMember(t, org, 'member');
    await dataSource(t).query(
      `INSERT INTO organization_features (organization_id, feature_id, quantity, expires_at) VALUES ($1, $2, 1, $3)`,
      [org.organizationId, ids.feature.members, end],
    );
    const res = await t.http.put('/organizations/me/package', { package_id: ids.pkg.free }, auth(org));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'usage_exceeds_limits', details: [{ resource: 'members', used: 6, limit: 5 }] });

    await dataSource(t).query(`UPDATE organization_features SET expires_at = $2 WHERE organization_id = $1`, [
      org.organizationId,
      new Date(end.getTime() + DAY),
    ]);
    expect((await t.http.put('/organizations/me/package', { package_id: ids.pkg.free }, auth(org))).status).toBe(200);
  });

  it('names bad input: no period for a paid package, an unknown package, a bad quote id, a flag bought twice over', async () => {
    const org = await registerOrg(t.http);
    const put = (body: object) => t.http.put('/organizations/me/package', body, auth(org));
    const noPeriod = await put({ package_id: ids.pkg.basic });
    expect(noPeriod.status).toBe(400);
    expect(noPeriod.body).toMatchObject({ code: 'validation_failed', details: [{ field: 'period' }] });
    expect((await put({ package_id: 99999, period: '1_month' })).status).toBe(404);
    for (const quoteId of ['nope', randomUUID(), `q1.${'A'.repeat(600)}.${'A'.repeat(43)}`, 42]) {
      const bad = await put({ package_id: ids.pkg.basic, period: '1_month', quote_id: quoteId });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ code: 'validation_failed', details: [{ field: 'quote_id' }] });
    }
    const flag = await t.http.post('/organizations/me/features', { feature_id: ids.feature.audit_export, quantity: 2 }, auth(org));
    expect(flag.status).toBe(400);
    expect(flag.body).toMatchObject({ code: 'validation_failed', details: [{ field: 'quantity' }] });
    expect((await t.http.post('/organizations/me/features', { feature_id: ids.feature.members, quantity: 0 }, auth(org))).status).toBe(400);
  });

  it('needs billing.manage', async () => {
    const org = await registerOrg(t.http);
    const admin = await createMember(t, org, 'admin');
    const res = await t.http.put(
      '/organizations/me/package',
      { package_id: ids.pkg.basic, period: '1_month' },
      { token: admin.accessToken },
    );
    expect(res.status).toBe(403);
    const quote = await t.http.post(
      '/organizations/me/package/calculate-upgrade-price',
      { package_id: ids.pkg.basic, period: '1_month' },
      { token: admin.accessToken },
    );
    expect(quote.status).toBe(200);
  });
});

describe('add-ons', () => {
  it('buys an add-on through a payment, adds its units to the limit at once, and stops it at period end', async () => {
    const org = await registerOrg(t.http);
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    clock = controlClock(t, now);
    const res = await t.http.post('/organizations/me/features', { feature_id: ids.feature.members, quantity: 2 }, auth(org));
    expect(res.status).toBe(201);
    // Free: one month from now; Jan-style calendar proration makes one whole month exactly 2 × 10.00.
    expect(res.body.data).toMatchObject({ status: 'pending', payment_type: 'feature_purchase', amount_minor: 2000, amount: 20 });
    expect(addonCharge({ monthlyMinor: 1000, quantity: 2, from: now, to: addMonths(now, 1) })).toBe(2000);
    expect(limitOf(await pkgView(org), 'members')).toBe(5);

    expect((await payOnCheckoutPage(res.body.data.checkout_url, '4242 4242 4242 4242')).status).toBe(200);
    expect((await finalStatus(t, org.accessToken, res.body.data.id)).status).toBe('succeeded');
    const view = await pkgView(org);
    expect(limitOf(view, 'members')).toBe(25);
    expect(view.addons).toEqual([
      expect.objectContaining({ feature_key: 'members', quantity: 2, expires_at: addMonths(now, 1).toISOString(), cancel_at: null }),
    ]);

    const other = await registerOrg(t.http);
    expect((await t.http.delete(`/organizations/me/features/${view.addons[0].id}`, undefined, auth(other))).status).toBe(404);
    const stop = await t.http.delete(`/organizations/me/features/${view.addons[0].id}`, undefined, auth(org));
    expect(stop.status).toBe(200);
    expect(stop.body.data.addons[0]).toMatchObject({ cancel_at: addMonths(now, 1).toISOString() });
    expect(limitOf(stop.body.data, 'members')).toBe(25);
    expect((await t.http.delete(`/organizations/me/features/${view.addons[0].id}`, undefined, auth(org))).body.code).toBe(
      'addon_already_cancelled',
    );
  });

  it('an add-on whose period has ended no longer counts or shows, before the lapse scan runs', async () => {
    const org = await registerOrg(t.http);
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    await dataSource(t).query(
      `INSERT INTO organization_features (organization_id, feature_id, quantity, expires_at) VALUES ($1, $2, 1, $3)`,
      [org.organizationId, ids.feature.members, new Date(now.getTime() + DAY)],
    );
    clock = controlClock(t, now);
    const during = await pkgView(org);
    expect(limitOf(during, 'members')).toBe(15);
    expect(during.addons).toHaveLength(1);
    clock.advance(2 * DAY);
    const after = await pkgView(org);
    expect(limitOf(after, 'members')).toBe(5);
    expect(after.addons).toEqual([]);
  });

  it('prorates to the end of the paid period, refuses a flag the package includes and what is not sold', async () => {
    const org = await registerOrg(t.http);
    const start = new Date('2027-01-01T00:00:00Z');
    await setPaidPeriod(t, org.organizationId, {
      slug: 'basic',
      period: '3_months',
      amountMinor: 5400,
      start,
      end: new Date('2027-04-01T00:00:00Z'),
    });
    clock = controlClock(t, new Date('2027-02-15T00:00:00Z'));
    const audit = await t.http.post('/organizations/me/features', { feature_id: ids.feature.audit_export }, auth(org));
    expect(audit.status).toBe(201);
    const expected = addonCharge({
      monthlyMinor: 1500,
      quantity: 1,
      from: new Date('2027-02-15T00:00:00Z'),
      to: new Date('2027-04-01T00:00:00Z'),
    });
    expect(audit.body.data.amount_minor).toBe(expected);
    // Feb 15 → Mar 15 is one month; Mar 15 → Apr 1 is 17 days of a 31-day month.
    expect(expected).toBe(1500 + Math.floor((1500 * 17) / 31));

    const included = await t.http.post('/organizations/me/features', { feature_id: ids.feature.custom_slug }, auth(org));
    expect(included.status).toBe(409);
    expect(included.body.code).toBe('feature_already_included');
    const notSold = await t.http.post('/organizations/me/features', { feature_id: ids.feature.priority_support }, auth(org));
    expect(notSold.status).toBe(400);
    expect(notSold.body.code).toBe('feature_not_purchasable');
    const unknown = await t.http.post('/organizations/me/features', { feature_id: 99999 }, auth(org));
    expect(unknown.status).toBe(404);
  });
});

describe('PUT /organizations/me/package/auto-renew', () => {
  it('saves a sandbox card by token and shows only its brand and last four', async () => {
    const org = await registerOrg(t.http);
    const none = await t.http.put('/organizations/me/package/auto-renew', { enabled: true }, auth(org));
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ code: 'payment_method_required', details: { field: 'credentials' } });

    const on = await t.http.put(
      '/organizations/me/package/auto-renew',
      { enabled: true, credentials: { payment_method: 'sandbox', token: 'tok_visa' } },
      auth(org),
    );
    expect(on.status).toBe(200);
    expect(on.body.data.subscription).toMatchObject({
      auto_renew: true,
      payment_method: { gateway: 'sandbox', brand: 'visa', last4: '4242' },
    });

    const alias = await t.http.put(
      '/organizations/me/package/auto-renew',
      { enabled: true, credentials: { payment_method: 'sandbox', stripe_card_token: 'tok_chargeDeclined' } },
      auth(org),
    );
    expect(alias.body.data.subscription.payment_method).toMatchObject({ last4: '0002' });
    const stored = await dataSource(t).query(`SELECT payment_method_ref FROM organization_subscriptions WHERE organization_id = $1`, [
      org.organizationId,
    ]);
    expect(stored[0].payment_method_ref).toMatch(/^sbx_pm_/);

    const unknown = await t.http.put(
      '/organizations/me/package/auto-renew',
      { enabled: true, credentials: { payment_method: 'sandbox', token: 'tok_nope' } },
      auth(org),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('tok_nope');
    const stripe = await t.http.put(
      '/organizations/me/package/auto-renew',
      { enabled: true, credentials: { payment_method: 'stripe', token: 'tok_visa' } },
      auth(org),
    );
    expect(stripe.status).toBe(400);
    expect(stripe.body).toMatchObject({ code: 'gateway_unavailable', details: { gateway: 'stripe' } });

    const off = await t.http.put('/organizations/me/package/auto-renew', { enabled: false }, auth(org));
    expect(off.body.data.subscription).toMatchObject({ auto_renew: false, payment_method: { last4: '0002' } });
  });
});

import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addMonths, RENEWAL_QUEUE, RENEWAL_SCAN_SCHEDULER, RenewalService, SandboxGateway } from '@atrium/billing';
import { catalogue, eventually, finalStatus, payOnCheckoutPage, setPaidPeriod, upgradePayment } from '../support/billing.js';
import { controlClock } from '../support/clock.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { freePort } from '../support/free-port.js';
import { Mailbox } from '../support/mailbox.js';
import { createMember, dataSource, uniqueEmail } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Renewals and dunning on a test clock. Every scenario lives in its own stretch of the past (2021–2024), far from
 * the periods other spec files create around today, because a scan renews every due organization of the shared
 * database; assertions are per organization, never on a scan's totals.
 */
let t: TestApp;
let mailbox: Mailbox;
let ids: Awaited<ReturnType<typeof catalogue>>;
const clocks: Array<ReturnType<typeof controlClock>> = [];
const orgs: string[] = [];

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const auth = (org: RegisteredOrg) => ({ token: org.accessToken });
const q = async (sql: string, params: unknown[]) => dataSource(t).query(sql, params);
const count = async (sql: string, params: unknown[]) => Number((await q(sql, params))[0].n);

/** Every app of the file on one test clock. */
function setClock(at: Date, ...apps: TestApp[]): void {
  for (const app of apps.length ? apps : [t]) {
    let c = clocks.find((x) => (x as unknown as { app: TestApp }).app === app);
    if (!c) {
      c = controlClock(app, at);
      (c as unknown as { app: TestApp }).app = app;
      clocks.push(c);
    }
    c.set(at);
  }
}
const scan = (app: TestApp = t) => app.app.get(RenewalService).runDue();

async function newOrg(): Promise<RegisteredOrg> {
  const org = await registerOrg(t.http);
  orgs.push(org.organizationId);
  return org;
}

async function autoRenew(org: RegisteredOrg, token: string): Promise<void> {
  const res = await t.http.put(
    '/organizations/me/package/auto-renew',
    { enabled: true, credentials: { payment_method: 'sandbox', token } },
    auth(org),
  );
  expect(res.status).toBe(200);
}

/** A monthly Basic period [end − 1 month, end) as a payment would have left it. */
async function paidBasicMonth(org: RegisteredOrg, end: Date, slug = 'basic', amountMinor = 1900): Promise<void> {
  await setPaidPeriod(t, org.organizationId, { slug, period: '1_month', amountMinor, start: addMonths(end, -1), end });
}

const subscription = async (org: RegisteredOrg) =>
  (
    await q(
      `SELECT s.status, s.current_period_end, s.auto_renew, p.slug FROM organization_subscriptions s JOIN packages p ON p.id = s.package_id
        WHERE s.organization_id = $1`,
      [org.organizationId],
    )
  )[0] as { status: string; current_period_end: Date | null; auto_renew: boolean; slug: string };

const renewalPayments = (org: RegisteredOrg) =>
  q(
    `SELECT status, amount_minor::int AS amount_minor, purchase FROM payments WHERE organization_id = $1 AND payment_type = 'renewal' ORDER BY created_at`,
    [org.organizationId],
  ) as Promise<Array<{ status: string; amount_minor: number; purchase: { periodStart: string; periodEnd: string; packageId: number } }>>;

const sandboxCharges = (org: RegisteredOrg) =>
  count(`SELECT count(*) AS n FROM sandbox_charges WHERE organization_id = $1 AND off_session`, [org.organizationId]);

const mailsTo = (org: RegisteredOrg, subject: RegExp) =>
  mailbox.messages.filter((m) => m.to.includes(org.email) && subject.test(m.subject));

async function mailCount(org: RegisteredOrg, subject: RegExp, n: number) {
  return eventually(async () => (mailsTo(org, subject).length >= n ? mailsTo(org, subject) : undefined), `${n} mail(s) ${subject}`);
}

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  // A known port: the sandbox's callback of the first (on-session) purchase reaches this app.
  t = await startTestApp({ SMTP_URL: mailbox.url }, { port: await freePort() });
  ids = await catalogue(t);
});
afterEach(() => {
  for (const c of clocks.splice(0)) c.release();
});
afterAll(async () => {
  // Nothing of this file stays due for a later run's scans.
  if (t && orgs.length) {
    await q(`UPDATE organization_subscriptions SET auto_renew = false, current_period_end = NULL WHERE organization_id = ANY($1)`, [orgs]);
  }
  await t?.close();
  await mailbox?.stop();
});

describe('renewal year', () => {
  it('renews monthly Basic 12 times from a Jan 31 anchor: one charge each, invoices gap-free, ends on the calendar', async () => {
    const org = await newOrg();
    const anchor = new Date('2021-01-31T10:00:00Z');
    setClock(anchor);
    await autoRenew(org, 'tok_visa');
    const { res: pay } = await upgradePayment(t, org.accessToken, { package_id: ids.pkg.basic, period: '1_month' });
    expect(pay.status).toBe(201);
    await payOnCheckoutPage(pay.body.data.checkout_url, '4242 4242 4242 4242');
    expect((await finalStatus(t, org.accessToken, pay.body.data.id)).status).toBe('succeeded');
    expect((await subscription(org)).current_period_end).toEqual(addMonths(anchor, 1));

    for (let n = 1; n <= 12; n++) {
      const end = addMonths(anchor, n);
      setClock(new Date(end.getTime() - 7 * DAY + MINUTE));
      await scan();
      setClock(new Date(end.getTime() + MINUTE));
      await scan();
      // A re-delivered scan at the same instant does nothing more.
      await scan();
      const s = await subscription(org);
      expect(s).toMatchObject({ status: 'active', slug: 'basic', current_period_end: addMonths(anchor, n + 1) });
    }

    const payments = await renewalPayments(org);
    expect(payments).toHaveLength(12);
    expect(payments.every((p) => p.status === 'succeeded' && p.amount_minor === 1900)).toBe(true);
    expect(await sandboxCharges(org)).toBe(12);
    // Period ends walk the calendar from the anchor, never from the previous (clamped) end.
    expect(payments.map((p) => p.purchase.periodEnd.slice(0, 10))).toEqual([
      '2021-03-31',
      '2021-04-30',
      '2021-05-31',
      '2021-06-30',
      '2021-07-31',
      '2021-08-31',
      '2021-09-30',
      '2021-10-31',
      '2021-11-30',
      '2021-12-31',
      '2022-01-31',
      '2022-02-28',
    ]);
    // 13 invoices (the purchase and 12 renewals), numbered per calendar year without gaps.
    const invoices = (await q(`SELECT number FROM invoices WHERE organization_id = $1 ORDER BY issued_at`, [org.organizationId])).map(
      (r: { number: string }) => r.number,
    );
    expect(invoices).toEqual([...Array.from({ length: 12 }, (_, i) => `INV-2021-${String(i + 1).padStart(6, '0')}`), 'INV-2022-000001']);
    // One upcoming-renewal notice per period, and the receipts.
    expect(
      await count(`SELECT count(*) AS n FROM outbox_events WHERE organization_id = $1 AND name = 'billing.renewal_upcoming'`, [
        org.organizationId,
      ]),
    ).toBe(12);
    expect(
      await count(`SELECT count(*) AS n FROM outbox_events WHERE organization_id = $1 AND name = 'billing.renewal_succeeded'`, [
        org.organizationId,
      ]),
    ).toBe(12);
    await mailCount(org, /^Receipt/, 13);
    expect(
      await count(`SELECT count(*) AS n FROM audit_logs WHERE organization_id = $1 AND action = 'subscription.renewed'`, [
        org.organizationId,
      ]),
    ).toBe(12);
  });
});

describe('upcoming renewal notice', () => {
  it('mails the amount and date once, 7 days before the period ends', async () => {
    const org = await newOrg();
    const end = new Date('2023-02-15T08:00:00Z');
    await paidBasicMonth(org, end);
    await autoRenew(org, 'tok_visa');
    const notices = () =>
      count(`SELECT count(*) AS n FROM outbox_events WHERE organization_id = $1 AND name = 'billing.renewal_upcoming'`, [
        org.organizationId,
      ]);

    setClock(new Date(end.getTime() - 7 * DAY - MINUTE));
    await scan();
    expect(await notices()).toBe(0);
    setClock(new Date(end.getTime() - 7 * DAY + MINUTE));
    await Promise.all([scan(), scan()]);
    await scan();
    setClock(new Date(end.getTime() - DAY));
    await scan();
    expect(await notices()).toBe(1);
    const [mail] = await mailCount(org, /renews on/, 1);
    expect(mail.subject).toBe('Your Basic package renews on 2023-02-15: $19.00');
    expect(mail.text).toContain('card ending 4242');
    expect(await renewalPayments(org)).toHaveLength(0);
    // And in the app, for the billing admins (the owner here): the notification, with the amount and the date.
    const notified = await eventually(async () => {
      const list = await t.http.get('/notifications', { token: org.accessToken });
      return list.body.data?.find((n: any) => n.type === 'billing.renewal_upcoming');
    }, 'the billing.renewal_upcoming notification');
    expect(notified).toMatchObject({ link: '/billing', email_status: null });
    expect(`${notified.title} ${notified.body}`).toMatch(/\$19\.00/);
    expect(`${notified.title} ${notified.body}`).toContain('15 Feb 2023');
  });
});

describe('dunning', () => {
  it('declined: past_due keeps the package, retries on days 1, 3 and 5 with a mail each, then Free on day 7 with data kept and Free limits enforced', async () => {
    const org = await newOrg();
    const end = new Date('2023-04-10T12:00:00Z');
    await paidBasicMonth(org, end);
    await autoRenew(org, 'tok_chargeDeclined');
    for (let i = 0; i < 6; i++) await createMember(t, org, 'member');
    const at = (days: number) => setClock(new Date(end.getTime() + days * DAY + MINUTE));

    at(0);
    await scan();
    expect(await subscription(org)).toMatchObject({ status: 'past_due', slug: 'basic' });
    const view = (await t.http.get('/organizations/me/package', auth(org))).body.data;
    expect(view.subscription.status).toBe('past_due');
    expect(view.entitlements.find((e: any) => e.key === 'members').limit).toBe(25);
    const first = (await mailCount(org, /^Renewal payment failed/, 1))[0];
    expect(first.text).toContain('We will try again on 2023-04-11');

    const retries: Array<[number, number, string]> = [
      [1, 2, 'We will try again on 2023-04-13'],
      [3, 3, 'We will try again on 2023-04-15'],
      [5, 4, 'the package ends on 2023-04-17'],
    ];
    for (const [day, attempts, says] of retries) {
      at(day - 0.5);
      await scan();
      expect(await sandboxCharges(org)).toBe(attempts - 1);
      at(day);
      await scan();
      await scan();
      expect(await sandboxCharges(org)).toBe(attempts);
      const mails = await mailCount(org, /^Renewal payment failed/, attempts);
      expect(mails[attempts - 1].text).toContain(says);
      expect(await subscription(org)).toMatchObject({ status: 'past_due', slug: 'basic' });
    }
    expect((await renewalPayments(org)).map((p) => p.status)).toEqual(['failed', 'failed', 'failed', 'failed']);

    at(6.9);
    await scan();
    expect(await subscription(org)).toMatchObject({ slug: 'basic' });
    at(7);
    await scan();
    await scan();
    expect(await subscription(org)).toMatchObject({ status: 'active', slug: 'free', current_period_end: null, auto_renew: false });
    expect(await sandboxCharges(org)).toBe(4);
    expect((await mailCount(org, /has ended/, 1))[0].text).toContain('because the renewal could not be paid');
    expect(
      await count(`SELECT count(*) AS n FROM audit_logs WHERE organization_id = $1 AND action = 'subscription.lapsed'`, [
        org.organizationId,
      ]),
    ).toBe(1);

    // Data kept: all seven members are still there; nothing new beyond Free's 5 members can be added.
    const users = await t.http.get('/users?limit=50', auth(org));
    expect(users.body.total).toBe(7);
    const invite = await t.http.post('/invitations', { email: uniqueEmail('late') }, auth(org));
    expect(invite.status).toBe(403);
    expect(invite.body).toMatchObject({ code: 'package_limit_reached', details: { resource: 'members', package: 'free', limit: 5 } });
  });

  it('a card fixed during dunning: the next retry succeeds and the subscription is active on its package again', async () => {
    const org = await newOrg();
    const end = new Date('2023-06-20T09:30:00Z');
    await paidBasicMonth(org, end);
    await autoRenew(org, 'tok_chargeDeclinedInsufficientFunds');
    setClock(new Date(end.getTime() + MINUTE));
    await scan();
    expect(await subscription(org)).toMatchObject({ status: 'past_due' });
    expect((await mailCount(org, /^Renewal payment failed/, 1))[0].text).toContain('insufficient funds');

    await autoRenew(org, 'tok_visa');
    setClock(new Date(end.getTime() + DAY + MINUTE));
    await scan();
    expect(await subscription(org)).toMatchObject({ status: 'active', slug: 'basic', current_period_end: addMonths(end, 1) });
    expect((await renewalPayments(org)).map((p) => p.status)).toEqual(['failed', 'succeeded']);
    await mailCount(org, /^Receipt/, 1);
    // Renewed from the period end, not from the day the retry succeeded; nothing more is due.
    setClock(new Date(end.getTime() + 5 * DAY + MINUTE));
    await scan();
    expect(await sandboxCharges(org)).toBe(2);
  });

  it('an unreachable gateway is not a decline: nothing is counted, the next scan charges once', async () => {
    const org = await newOrg();
    const end = new Date('2023-08-05T00:00:00Z');
    await paidBasicMonth(org, end);
    await autoRenew(org, 'tok_visa');
    const gateway = t.app.get(SandboxGateway);
    const original = gateway.chargeOffSession.bind(gateway);
    gateway.chargeOffSession = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:443'));
    try {
      setClock(new Date(end.getTime() + MINUTE));
      const result = await scan();
      expect(result.errors.map((e) => e.organizationId)).toContain(org.organizationId);
    } finally {
      gateway.chargeOffSession = original;
    }
    expect(await subscription(org)).toMatchObject({ status: 'active', current_period_end: end });
    const [row] = await q(`SELECT status, attempts FROM billing_renewals WHERE organization_id = $1`, [org.organizationId]);
    expect(row).toEqual({ status: 'scheduled', attempts: 0 });
    await scan();
    expect(await subscription(org)).toMatchObject({ status: 'active', current_period_end: addMonths(end, 1) });
    expect(await sandboxCharges(org)).toBe(1);
    expect(mailsTo(org, /failed/)).toHaveLength(0);
  });
});

describe('period end without a renewal', () => {
  it('auto-renew off: the package ends at period end and the organization is on Free, with a mail', async () => {
    const org = await newOrg();
    const end = new Date('2023-10-01T00:00:00Z');
    await paidBasicMonth(org, end);
    setClock(new Date(end.getTime() - MINUTE));
    await scan();
    expect(await subscription(org)).toMatchObject({ slug: 'basic' });
    setClock(new Date(end.getTime() + MINUTE));
    await scan();
    expect(await subscription(org)).toMatchObject({ status: 'active', slug: 'free', current_period_end: null });
    expect(await renewalPayments(org)).toHaveLength(0);
    expect((await mailCount(org, /has ended/, 1))[0].text).toContain('because auto-renewal was off');
  });

  it('a scheduled downgrade is applied at period end and renewed at the lower price', async () => {
    const org = await newOrg();
    const end = new Date('2023-11-15T15:00:00Z');
    await paidBasicMonth(org, end, 'platinum', 4900);
    await autoRenew(org, 'tok_visa');
    setClock(new Date(end.getTime() - 20 * DAY));
    const down = await t.http.put('/organizations/me/package', { package_id: ids.pkg.basic, period: '1_month' }, auth(org));
    expect(down.body.data.subscription.scheduled_change).toMatchObject({ package_slug: 'basic' });

    setClock(new Date(end.getTime() - 7 * DAY + MINUTE));
    await scan();
    expect((await mailCount(org, /renews on/, 1))[0].subject).toBe('Your Basic package renews on 2023-11-15: $19.00');

    setClock(new Date(end.getTime() + MINUTE));
    await scan();
    expect(await subscription(org)).toMatchObject({ status: 'active', slug: 'basic', current_period_end: addMonths(end, 1) });
    const payments = await renewalPayments(org);
    expect(payments.map((p) => [p.status, p.amount_minor, p.purchase.packageId])).toEqual([['succeeded', 1900, ids.pkg.basic]]);
    const view = (await t.http.get('/organizations/me/package', auth(org))).body.data;
    expect(view.subscription.scheduled_change).toBeNull();
  });

  it('a scheduled move to Free ends the package at period end without a charge', async () => {
    const org = await newOrg();
    const end = new Date('2023-12-01T00:00:00Z');
    await paidBasicMonth(org, end);
    await autoRenew(org, 'tok_visa');
    setClock(new Date(end.getTime() - 10 * DAY));
    await t.http.put('/organizations/me/package', { package_id: ids.pkg.free }, auth(org));
    setClock(new Date(end.getTime() - 7 * DAY + MINUTE));
    await scan();
    setClock(new Date(end.getTime() + MINUTE));
    await scan();
    expect(await subscription(org)).toMatchObject({ slug: 'free', current_period_end: null });
    expect(await renewalPayments(org)).toHaveLength(0);
    expect(
      await count(`SELECT count(*) AS n FROM outbox_events WHERE organization_id = $1 AND name = 'billing.renewal_upcoming'`, [
        org.organizationId,
      ]),
    ).toBe(0);
    expect((await mailCount(org, /has ended/, 1))[0].text).toContain('because you chose the Free package');
  });

  it('add-ons lapse when their period ends, even when the package renews (they are bought per period)', async () => {
    const org = await newOrg();
    const end = new Date('2024-01-20T00:00:00Z');
    await paidBasicMonth(org, end);
    await autoRenew(org, 'tok_visa');
    await q(
      `INSERT INTO organization_features (organization_id, feature_id, quantity, status, expires_at) VALUES ($1, $2, 2, 'active', $3)`,
      [org.organizationId, ids.feature.members, end],
    );
    setClock(new Date(end.getTime() + MINUTE));
    await scan();
    expect(await subscription(org)).toMatchObject({ slug: 'basic', current_period_end: addMonths(end, 1) });
    const [addon] = await q(`SELECT status FROM organization_features WHERE organization_id = $1`, [org.organizationId]);
    expect(addon.status).toBe('cancelled');
    expect(
      await count(`SELECT count(*) AS n FROM audit_logs WHERE organization_id = $1 AND action = 'addon.lapsed'`, [org.organizationId]),
    ).toBe(1);
  });
});

describe('exactly once across workers', () => {
  let t2: TestApp;
  beforeAll(async () => {
    // A second instance with workers on the same database and queue namespace, as a scaled-out deployment.
    t2 = await startTestApp({ SMTP_URL: mailbox.url }, { port: await freePort() });
  });
  afterAll(async () => {
    await t2?.close();
  });

  it('two workers scanning the same due renewal at once, and a re-delivered scan, charge once', async () => {
    const org = await newOrg();
    const end = new Date('2024-03-10T00:00:00Z');
    await paidBasicMonth(org, end);
    await autoRenew(org, 'tok_visa');
    setClock(new Date(end.getTime() + MINUTE), t, t2);
    await Promise.all([scan(t), scan(t2), scan(t), scan(t2)]);
    await scan(t2);
    expect(await sandboxCharges(org)).toBe(1);
    expect((await renewalPayments(org)).map((p) => p.status)).toEqual(['succeeded']);
    expect(await subscription(org)).toMatchObject({ current_period_end: addMonths(end, 1) });
    expect(await count(`SELECT count(*) AS n FROM invoices WHERE organization_id = $1`, [org.organizationId])).toBe(1);
  });

  it('two workers on a declined renewal record one failed attempt and one mail', async () => {
    const org = await newOrg();
    const end = new Date('2024-05-10T00:00:00Z');
    await paidBasicMonth(org, end);
    await autoRenew(org, 'tok_chargeDeclined');
    setClock(new Date(end.getTime() + MINUTE), t, t2);
    await Promise.all([scan(t), scan(t2), scan(t), scan(t2)]);
    expect(await sandboxCharges(org)).toBe(1);
    const [row] = await q(`SELECT status, attempts FROM billing_renewals WHERE organization_id = $1`, [org.organizationId]);
    expect(row).toEqual({ status: 'retry', attempts: 1 });
    expect(
      await count(`SELECT count(*) AS n FROM outbox_events WHERE organization_id = $1 AND name = 'billing.renewal_failed'`, [
        org.organizationId,
      ]),
    ).toBe(1);
  });

  it('the job scheduler runs the scan in worker processes', async () => {
    const org = await newOrg();
    const end = new Date('2024-07-10T00:00:00Z');
    await paidBasicMonth(org, end);
    await autoRenew(org, 'tok_visa');
    const t3 = await startTestApp({ SMTP_URL: mailbox.url, BILLING_RENEWAL_SCAN_MS: '200' });
    try {
      // Whichever worker takes the job, it scans at the same instant.
      setClock(new Date(end.getTime() + MINUTE), t, t2, t3);
      await eventually(
        async () => ((await subscription(org)).current_period_end?.getTime() === addMonths(end, 1).getTime() ? true : undefined),
        'the scheduled scan to renew',
      );
      expect(await sandboxCharges(org)).toBe(1);
    } finally {
      await t3.app.get<Queue>(getQueueToken(RENEWAL_QUEUE)).removeJobScheduler(RENEWAL_SCAN_SCHEDULER);
      await t3.close();
    }
  });
});

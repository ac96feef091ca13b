import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMES } from '@atrium/integrations';
import { STRONG_PASSWORD, uniqueEmail } from '../support/factories.js';
import { spread, Sql, until } from './support/deployment.js';
import { type AppProcess, deploymentEnv, startProcess } from './support/processes.js';
import { type OwnPostgres, type OwnRedis, startOwnPostgres, startOwnRedis } from './support/services.js';
import { SlowMailbox } from './support/slow-mailbox.js';

/**
 * A worker process killed with SIGKILL in the middle of its jobs — mails on their way through a slow SMTP relay,
 * renewal charges, webhook events — and started again: every effect happens exactly once.
 */
const ORGS = 24;
const RENEWING = 12;
const WEBHOOKS = 300;

let pgServer: OwnPostgres;
let redis: OwnRedis;
let mailbox: SlowMailbox;
let sql: Sql;
let api: AppProcess;
let env: Record<string, string>;

beforeAll(async () => {
  [pgServer, redis, mailbox] = await Promise.all([startOwnPostgres(), startOwnRedis(), new SlowMailbox(150).start()]);
  sql = new Sql(pgServer.url);
  env = deploymentEnv(pgServer.url, redis.url, {
    SMTP_URL: mailbox.url,
    TRUST_PROXY: '127.0.0.0/8',
    BILLING_RENEWAL_SCAN_MS: '500',
    // A renewal claimed by the killed worker is taken over after this (default 10 minutes).
    BILLING_RENEWAL_CLAIM_LEASE_SECONDS: '5',
    // Webhook events the killed worker had taken are taken again after this (default 30 s).
    WEBHOOK_PROCESSING_LEASE_SECONDS: '5',
  });
  api = await startProcess('api', { ...env, RUN_WORKERS: 'false' });
});
afterAll(async () => {
  await api?.stop();
  await sql?.end();
  await Promise.all([redis?.destroy(), pgServer?.destroy(), mailbox?.stop()]);
});

interface Org {
  email: string;
  organizationId: string;
  token: string;
}

describe('a worker killed with SIGKILL mid-job', () => {
  it('mails, renewals and webhook events each take effect exactly once after the restart', async () => {
    const http = spread(api.url);
    // Work piles up while no worker runs: welcome mails, due renewals, received webhook events.
    const orgs: Org[] = [];
    for (let i = 0; i < ORGS; i += 6) {
      orgs.push(
        ...(await Promise.all(
          Array.from({ length: 6 }, async () => {
            const email = uniqueEmail('owner');
            const reg = await http.post('/auth/organization/register', {
              organization_name: `Org ${randomUUID().slice(0, 8)}`,
              first_name: 'Olive',
              last_name: 'Owner',
              email,
              password: STRONG_PASSWORD,
            });
            expect(reg.status).toBe(201);
            const login = await http.post('/auth/login', { email, password: STRONG_PASSWORD });
            return { email, organizationId: reg.body.organization_id as string, token: login.body.access_token as string };
          }),
        )),
      );
    }
    const renewing = orgs.slice(0, RENEWING);
    for (const org of renewing) {
      // Auto-renew goes on while the period still runs (a month ahead), and only then does the period end: a scan
      // between the two finding an ended period with auto-renew off would end the package instead of charging it.
      const period = (ends: Date) =>
        sql.rows(
          `UPDATE organization_subscriptions SET package_id = (SELECT id FROM packages WHERE slug = 'basic'), period = '1_month',
                  amount_minor = 1900, currency = 'USD', current_period_start = $2::timestamptz - interval '1 month',
                  current_period_end = $2, status = 'active', scheduled_change = NULL
            WHERE organization_id = $1`,
          [org.organizationId, ends],
        );
      await period(new Date(Date.now() + 30 * 86_400_000));
      const renew = await http.put(
        '/organizations/me/package/auto-renew',
        { enabled: true, credentials: { payment_method: 'sandbox', token: 'tok_visa' } },
        { token: org.token },
      );
      expect(renew.status, JSON.stringify(renew.body)).toBe(200);
      await period(new Date(Date.now() - 60_000));
    }
    const receiver = orgs[ORGS - 1];
    await sql.rows(
      `UPDATE organization_subscriptions SET package_id = (SELECT id FROM packages WHERE slug = 'diamond') WHERE organization_id = $1`,
      [receiver.organizationId],
    );
    const provider = await http.post(
      '/integrations/providers',
      { name: 'crm', signature_scheme: 'hmac-sha256' },
      { token: receiver.token },
    );
    expect(provider.status).toBe(201);
    const eventIds: string[] = [];
    const sendWebhook = async () => {
      const body = JSON.stringify({ event_id: randomUUID(), type: 'contact.updated' });
      const headers = {
        'content-type': 'application/json',
        ...SCHEMES['hmac-sha256'].sign(body, provider.body.data.secret as string, new Date()),
      };
      const res = await http.request('POST', `/webhooks/${receiver.organizationId}/crm`, body, { headers });
      expect(res.status).toBe(200);
      return res.body.data.event_id as string;
    };
    for (let i = 0; i < WEBHOOKS; i += 20) eventIds.push(...(await Promise.all(Array.from({ length: 20 }, sendWebhook))));

    const welcomes = () => orgs.filter((o) => mailbox.to(o.email, /^Welcome to Atrium/) > 0).length;
    const charged = () =>
      sql.count(`SELECT count(DISTINCT organization_id) AS n FROM sandbox_charges WHERE off_session AND organization_id = ANY($1)`, [
        renewing.map((o) => o.organizationId),
      ]);
    const settled = () => sql.count(`SELECT count(*) AS n FROM webhook_events WHERE id = ANY($1) AND status = 'ignored'`, [eventIds]);

    // The worker starts on the backlog and is killed once each kind of job has begun, before they have all finished.
    let worker = await startProcess('worker', env);
    await until(async () => (welcomes() >= 1 && (await charged()) >= 1 && (await settled()) >= 1 ? true : undefined), 'the first effects');
    await worker.kill('SIGKILL');
    await worker.stop(); // already dead: removes its data directory
    const atKill = { mails: welcomes(), charged: await charged(), settled: await settled() };
    console.log('worker killed with', JSON.stringify(atKill));
    expect(atKill.mails).toBeLessThan(ORGS);

    worker = await startProcess('worker', env);
    try {
      await until(
        async () => (welcomes() === ORGS && (await charged()) === RENEWING && (await settled()) === WEBHOOKS ? true : undefined),
        'every job done after the restart',
        120_000,
      ).catch(async (err: unknown) => {
        console.log(
          JSON.stringify({
            welcomes: welcomes(),
            charged: await charged(),
            settled: await settled(),
            renewals: await sql.rows(
              `SELECT r.status, r.attempts, r.next_attempt_at, r.failure_code, r.updated_at,
                      (SELECT json_agg(json_build_object('status', p.status, 'type', p.payment_type)) FROM payments p WHERE p.organization_id = r.organization_id) AS payments,
                      (SELECT count(*) FROM sandbox_charges c WHERE c.organization_id = r.organization_id) AS charges
                 FROM billing_renewals r WHERE r.organization_id = ANY($1) AND r.status <> 'renewed'`,
              [renewing.map((o) => o.organizationId)],
            ),
            deliveries: await sql.rows(
              `SELECT idempotency_key, message IS NULL AS taken, claimed_at, sent_at FROM mail_deliveries WHERE sent_at IS NULL`,
            ),
          }),
        );
        throw err;
      });
      // Exactly once: one welcome mail per account, one charge, payment and receipt per renewal, one attempt per event.
      for (const org of orgs) expect(mailbox.to(org.email, /^Welcome to Atrium/), org.email).toBe(1);
      await until(async () => (renewing.every((o) => mailbox.to(o.email, /^Receipt/) >= 1) ? true : undefined), 'every receipt').catch(
        async (err: unknown) => {
          const missing = renewing.filter((o) => mailbox.to(o.email, /^Receipt/) === 0).map((o) => o.organizationId);
          console.log(
            JSON.stringify({
              events: await sql.rows(
                `SELECT organization_id, name, delivered_at FROM outbox_events WHERE organization_id = ANY($1) ORDER BY seq`,
                [missing],
              ),
              payments: await sql.rows(`SELECT organization_id, status, payment_type FROM payments WHERE organization_id = ANY($1)`, [
                missing,
              ]),
              renewals: await sql.rows(`SELECT organization_id, status, attempts FROM billing_renewals WHERE organization_id = ANY($1)`, [
                missing,
              ]),
              deliveries: await sql.rows(
                `SELECT idempotency_key, claimed_at, sent_at, failed_at FROM mail_deliveries WHERE sent_at IS NULL`,
              ),
            }),
          );
          throw err;
        },
      );
      for (const org of renewing) {
        expect(
          await sql.count(`SELECT count(*) AS n FROM sandbox_charges WHERE off_session AND organization_id = $1`, [org.organizationId]),
        ).toBe(1);
        expect(
          await sql.rows(`SELECT status FROM payments WHERE organization_id = $1 AND payment_type = 'renewal'`, [org.organizationId]),
        ).toEqual([{ status: 'succeeded' }]);
        expect(mailbox.to(org.email, /^Receipt/)).toBe(1);
      }
      expect(
        await sql.count(`SELECT count(*) AS n FROM webhook_event_attempts WHERE event_id = ANY($1) AND outcome = 'ignored'`, [eventIds]),
      ).toBe(WEBHOOKS);
    } finally {
      await worker.stop();
    }
  });
});

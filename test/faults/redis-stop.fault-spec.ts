import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRONG_PASSWORD, uniqueEmail } from '../support/factories.js';
import { Mailbox } from '../support/mailbox.js';
import { spread, Sql, until } from './support/deployment.js';
import { type AppProcess, deploymentEnv, startProcess } from './support/processes.js';
import { type OwnPostgres, type OwnRedis, startOwnPostgres, startOwnRedis } from './support/services.js';

/**
 * Redis (queues, fan-out, rate-limit counters) stopped for REDIS_STOP_SECONDS (60 in CI) under an api and a worker
 * with REDIS_URL set: writes keep succeeding, rate limits count in-process meanwhile, and the work queued before and
 * during the outage is done once Redis is back.
 */
const STOP_MS = Number(process.env.REDIS_STOP_SECONDS ?? 60) * 1000;

let pgServer: OwnPostgres;
let redis: OwnRedis;
let mailbox: Mailbox;
let sql: Sql;
let api: AppProcess;
let worker: AppProcess;

beforeAll(async () => {
  [pgServer, redis, mailbox] = await Promise.all([startOwnPostgres(), startOwnRedis({ persistent: true }), new Mailbox().start()]);
  sql = new Sql(pgServer.url);
  const env = deploymentEnv(pgServer.url, redis.url, {
    SMTP_URL: mailbox.url,
    TRUST_PROXY: '127.0.0.0/8',
    RATE_LIMIT_AUTH_PER_MINUTE: '10',
  });
  [api, worker] = await Promise.all([startProcess('api', { ...env, RUN_WORKERS: 'false' }), startProcess('worker', env)]);
});
afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await sql?.end();
  await Promise.all([redis?.destroy(), pgServer?.destroy(), mailbox?.stop()]);
});

const welcomed = (email: string) => mailbox.messages.filter((m) => m.to.includes(email) && /^Welcome to Atrium/.test(m.subject)).length;

describe(`Redis stopped for ${STOP_MS / 1000} s`, () => {
  it(
    'keeps writes succeeding, limits sign-ins in-process, and delivers every queued mail once Redis is back',
    async () => {
      const http = spread(api.url);
      const register = async () => {
        const email = uniqueEmail('owner');
        const started = Date.now();
        const res = await http.post('/auth/organization/register', {
          organization_name: `Org ${randomUUID().slice(0, 8)}`,
          first_name: 'Olive',
          last_name: 'Owner',
          email,
          password: STRONG_PASSWORD,
        });
        return { email, status: res.status, ms: Date.now() - started, body: res.body };
      };
      const before = await register();
      expect(before.status).toBe(201);
      await until(async () => (welcomed(before.email) ? true : undefined), 'the first welcome mail');

      await redis.stop();
      const stoppedAt = Date.now();
      // Writes while Redis is away: registrations (each queues a welcome mail) and chat messages, quickly answered.
      const during: Array<Awaited<ReturnType<typeof register>>> = [];
      for (let i = 0; i < 5; i++) during.push(await register());
      expect(during.map((r) => [r.status, r.ms < 5000])).toEqual(during.map(() => [201, true]));
      const owner = during[0];
      const token = (await http.post('/auth/login', { email: owner.email, password: STRONG_PASSWORD })).body.access_token as string;
      const member = await http.post(
        '/users',
        { email: uniqueEmail('member'), password: STRONG_PASSWORD, role: 'member', first_name: 'Mia', last_name: 'Member' },
        { token },
      );
      expect(member.status).toBe(201);
      await sql.rows(
        `UPDATE organization_subscriptions SET package_id = (SELECT id FROM packages WHERE slug = 'basic') WHERE organization_id = $1`,
        [owner.body.organization_id],
      );
      const chat = await http.post('/chats', { type: 'group', name: 'Outage', member_ids: [member.body.data.id] }, { token });
      expect(chat.status).toBe(201);
      const sent = await http.post(`/chats/${chat.body.data.id}/messages`, { content: 'still here', message_type: 'TEXT' }, { token });
      expect(sent.status).toBe(201);

      // The sign-in limit still holds, counted in the process: ten attempts from one address, then 429, none hanging.
      const from = { headers: { 'x-forwarded-for': '198.51.100.77' } };
      const attempts = [];
      for (let i = 0; i < 11; i++) {
        const started = Date.now();
        const res = await http.post('/auth/login', { email: owner.email, password: `wrong-${i}` }, from);
        attempts.push([res.status, Date.now() - started < 5000]);
      }
      expect(attempts).toEqual([...Array.from({ length: 10 }, () => [401, true]), [429, true]]);

      const left = STOP_MS - (Date.now() - stoppedAt);
      if (left > 0) await new Promise((r) => setTimeout(r, left));
      await redis.start();
      console.log(`redis was down ${Date.now() - stoppedAt} ms`);

      // Every mail queued during the outage arrives once Redis is back, once each; the one sent before is not repeated.
      await until(
        async () => (during.every((r) => welcomed(r.email) >= 1) ? true : undefined),
        'the welcome mails queued during the outage',
        150_000,
      ).catch(async (err: unknown) => {
        console.log(
          JSON.stringify({
            mails: mailbox.messages.map((m) => [m.to, m.subject]),
            outbox: await sql.rows(`SELECT d.* FROM outbox_deliveries d`),
            deliveries: await sql.rows(`SELECT idempotency_key, sent_at, failed_at FROM mail_deliveries WHERE sent_at IS NULL`),
          }),
        );
        throw err;
      });
      for (const r of [before, ...during]) expect(welcomed(r.email), r.email).toBe(1);
      expect(await sql.count(`SELECT count(*) AS n FROM messages WHERE id = $1`, [sent.body.data.id])).toBe(1);
      // And nothing else queued is left behind (the verification mails of the same registrations, a moment later).
      await until(
        async () => ((await sql.count(`SELECT count(*) AS n FROM mail_deliveries WHERE sent_at IS NULL`)) === 0 ? true : undefined),
        'every queued mail sent',
      );
      const verifications = mailbox.messages.filter((m) => /^Verify your email/.test(m.subject)).map((m) => m.to.join());
      for (const r of [before, ...during]) expect(verifications.filter((to) => to === r.email)).toHaveLength(1);
      expect(verifications.length).toBe(new Set(verifications).size);
      // The outage, then up to 150 s for the queued work: more than the suite's default timeout.
    },
    STOP_MS + 240_000,
  );
});

import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMES } from '@atrium/integrations';
import { createGroup, send } from '../messaging/chat-support.js';
import { STRONG_PASSWORD, uniqueEmail } from '../support/factories.js';
import { Mailbox } from '../support/mailbox.js';
import { connectSocket, nextEvent } from '../support/socket.js';
import { type SpreadClient, spread, Sql, startBalancer, until } from './support/deployment.js';
import { type AppProcess, deploymentEnv, startProcess } from './support/processes.js';
import { type OwnPostgres, type OwnRedis, startOwnPostgres, startOwnRedis } from './support/services.js';

/**
 * The scale-out the README promises, on real processes: two api processes with RUN_WORKERS=false and one worker
 * process (`apps/worker`), on one PostgreSQL and one Redis of the test's own, behind a small TCP balancer.
 */
let pgServer: OwnPostgres;
let redis: OwnRedis;
let mailbox: Mailbox;
let sql: Sql;
let apiA: AppProcess;
let apiB: AppProcess;
let worker: AppProcess;
let a: SpreadClient;
let b: SpreadClient;
const sockets: Socket[] = [];

beforeAll(async () => {
  [pgServer, redis, mailbox] = await Promise.all([startOwnPostgres(), startOwnRedis(), new Mailbox().start()]);
  sql = new Sql(pgServer.url);
  const env = deploymentEnv(pgServer.url, redis.url, {
    SMTP_URL: mailbox.url,
    // The sign-in limit under test, per client address, counted in Redis; setup calls come from other addresses.
    RATE_LIMIT_AUTH_PER_MINUTE: '10',
    TRUST_PROXY: '127.0.0.0/8',
    NOTIFICATION_DIGEST_MINUTES: '0.05',
  });
  [apiA, apiB, worker] = await Promise.all([
    startProcess('api', { ...env, RUN_WORKERS: 'false' }),
    startProcess('api', { ...env, RUN_WORKERS: 'false' }),
    startProcess('worker', { ...env, BILLING_RENEWAL_SCAN_MS: '500' }),
  ]);
  a = spread(apiA.url);
  b = spread(apiB.url);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([apiA?.stop(), apiB?.stop(), worker?.stop()]);
  await sql?.end();
  await Promise.all([redis?.destroy(), pgServer?.destroy(), mailbox?.stop()]);
});

interface Person {
  userId: string;
  email: string;
  organizationId: string;
  accessToken: string;
}

async function registerOrg(via: SpreadClient): Promise<Person> {
  const email = uniqueEmail('owner');
  const reg = await via.post('/auth/organization/register', {
    organization_name: `Org ${randomUUID().slice(0, 8)}`,
    first_name: 'Olive',
    last_name: 'Owner',
    email,
    password: STRONG_PASSWORD,
  });
  expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  const login = await via.post('/auth/login', { email, password: STRONG_PASSWORD });
  expect(login.status).toBe(200);
  return { userId: reg.body.user_id, email, organizationId: reg.body.organization_id, accessToken: login.body.access_token };
}

async function addMember(via: SpreadClient, owner: Person, firstName: string): Promise<Person> {
  const email = uniqueEmail('member');
  const res = await via.post(
    '/users',
    { email, password: STRONG_PASSWORD, role: 'member', first_name: firstName, last_name: 'Member' },
    { token: owner.accessToken },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const login = await via.post('/auth/login', { email, password: STRONG_PASSWORD, organization_id: owner.organizationId });
  expect(login.status).toBe(200);
  return { userId: res.body.data.id, email, organizationId: owner.organizationId, accessToken: login.body.access_token };
}

const setPackage = (organizationId: string, slug: string, end = new Date(Date.now() + 30 * 86_400_000), amountMinor = 1900) =>
  sql.rows(
    `UPDATE organization_subscriptions SET package_id = (SELECT id FROM packages WHERE slug = $2), period = '1_month',
            amount_minor = $4, currency = 'USD', current_period_start = $3::timestamptz - interval '1 month', current_period_end = $3,
            status = 'active', scheduled_change = NULL
      WHERE organization_id = $1`,
    [organizationId, slug, end, amountMinor],
  );

/** A `presence:changed` about `userId` with `status`. */
const presenceOf = (socket: Socket, userId: string, status: string) =>
  new Promise<{ user_id: string; status: string }>((resolve) => {
    const on = (p: { user_id: string; status: string }) => {
      if (p.user_id !== userId || p.status !== status) return;
      socket.off('presence:changed', on);
      resolve(p);
    };
    socket.on('presence:changed', on);
  });

const mailsTo = (to: string, subject: RegExp) => mailbox.messages.filter((m) => m.to.includes(to.toLowerCase()) && subject.test(m.subject));

describe('two api processes and a worker on one PostgreSQL and Redis', () => {
  it('a socket on api A receives a chat message, a notification and a presence change caused through api B', async () => {
    const owner = await registerOrg(a);
    await setPackage(owner.organizationId, 'basic');
    const ann = await addMember(a, owner, 'Ann');
    const bob = await addMember(b, owner, 'Bob');
    const chat = await createGroup({ http: b } as never, bob.accessToken, [ann.userId], 'Deploys');

    const annOnA = await connectSocket(apiA.url, { token: ann.accessToken });
    sockets.push(annOnA);
    const online = presenceOf(annOnA, bob.userId, 'online');
    const bobOnB = await connectSocket(apiB.url, { token: bob.accessToken });
    sockets.push(bobOnB);
    expect(await online).toEqual({ user_id: bob.userId, status: 'online' });

    const message = nextEvent<{ id: string; content: string; sender_id: string }>(annOnA, 'message:new', 10_000);
    const notification = nextEvent<{ notification: { type: string; link: string } }>(annOnA, 'notification:new', 10_000);
    const sent = await send({ http: b } as never, bob.accessToken, chat, `@${ann.userId} the deploy is green`);
    expect(await message).toMatchObject({ id: sent.id, sender_id: bob.userId, content: `@${ann.userId} the deploy is green` });
    expect(await notification).toMatchObject({ notification: { type: 'chat.mentioned', link: `/chats/${chat}` } });

    const offline = presenceOf(annOnA, bob.userId, 'offline');
    bobOnB.close();
    expect(await offline).toEqual({ user_id: bob.userId, status: 'offline' });
  });

  it('shares the sign-in limit: ten attempts spread over both, and the 11th answers 429 through either', async () => {
    const owner = await registerOrg(a);
    const from = { headers: { 'x-forwarded-for': '198.51.100.23' } };
    for (let i = 0; i < 10; i++) {
      const res = await (i % 2 ? b : a).post('/auth/login', { email: owner.email, password: `wrong-${i}` }, from);
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    for (const via of [a, b]) {
      const res = await via.post('/auth/login', { email: owner.email, password: STRONG_PASSWORD }, from);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Another address is not held up.
    expect((await a.post('/auth/login', { email: owner.email, password: STRONG_PASSWORD })).status).toBe(200);
  });

  it('runs each job once in the worker: mail, renewal, webhook processing and a digest', async () => {
    // Mail: the welcome mail of a registration through B.
    const owner = await registerOrg(b);
    await until(async () => (mailsTo(owner.email, /^Welcome to Atrium/).length ? true : undefined), 'the welcome mail');

    // Renewal: a monthly Basic period that ended a minute ago, auto-renewed with a card; the worker's scheduled scan charges it.
    // Auto-renew goes on while the period still runs: a scan (every 500 ms) finding an ended period with auto-renew
    // still off would end the package instead.
    await setPackage(owner.organizationId, 'basic');
    const renew = await a.put(
      '/organizations/me/package/auto-renew',
      { enabled: true, credentials: { payment_method: 'sandbox', token: 'tok_visa' } },
      { token: owner.accessToken },
    );
    expect(renew.status, JSON.stringify(renew.body)).toBe(200);
    await setPackage(owner.organizationId, 'basic', new Date(Date.now() - 60_000));
    await until(
      async () =>
        (await sql.count(
          `SELECT count(*) AS n FROM payments WHERE organization_id = $1 AND payment_type = 'renewal' AND status = 'succeeded'`,
          [owner.organizationId],
        )) === 1 || undefined,
      'the renewal payment',
      // A 2-core CI box running other processes: the worker's scan, claim, charge and settlement can take a while.
      60_000,
    );
    await until(async () => (mailsTo(owner.email, /^Receipt/).length ? true : undefined), 'the renewal receipt');

    // Webhook processing: one event posted to A and again to B (a sender's retry) is stored and processed once.
    await setPackage(owner.organizationId, 'diamond');
    const provider = await b.post(
      '/integrations/providers',
      { name: 'crm', signature_scheme: 'hmac-sha256' },
      { token: owner.accessToken },
    );
    expect(provider.status, JSON.stringify(provider.body)).toBe(201);
    const body = JSON.stringify({ event_id: randomUUID(), type: 'contact.updated' });
    const deliveries = [];
    for (const via of [a, b]) {
      const signature = SCHEMES['hmac-sha256'].sign(body, provider.body.data.secret as string, new Date());
      deliveries.push(
        await via.request('POST', `/webhooks/${owner.organizationId}/crm`, body, {
          headers: { 'content-type': 'application/json', ...signature },
        }),
      );
    }
    expect(deliveries.map((d) => [d.status, d.body.data.duplicate])).toEqual([
      [200, false],
      [200, true],
    ]);
    const eventId = deliveries[0].body.data.event_id as string;
    await until(
      async () =>
        (await sql.rows(`SELECT status FROM webhook_events WHERE id = $1`, [eventId]))[0]?.status === 'ignored' ? true : undefined,
      'the webhook event processed',
    );

    // Digest: Rita, with no socket, misses messages sent through both apis; one digest mail gathers them.
    await setPackage(owner.organizationId, 'basic');
    const sam = await addMember(a, owner, 'Sam');
    const rita = await addMember(b, owner, 'Rita');
    const chat = await createGroup({ http: a } as never, sam.accessToken, [rita.userId], 'Ops');
    for (let i = 1; i <= 4; i++) await send({ http: i % 2 ? a : b } as never, sam.accessToken, chat, `line ${i}`);
    await until(async () => (mailsTo(rita.email, /new messages/).length ? true : undefined), 'the digest mail', 30_000);

    // By now every earlier job has long finished: none ran twice.
    expect(mailsTo(owner.email, /^Welcome to Atrium/)).toHaveLength(1);
    expect(mailsTo(owner.email, /^Receipt/)).toHaveLength(1);
    expect(
      await sql.count(`SELECT count(*) AS n FROM sandbox_charges WHERE organization_id = $1 AND off_session`, [owner.organizationId]),
    ).toBe(1);
    expect(await sql.rows(`SELECT attempt, outcome FROM webhook_event_attempts WHERE event_id = $1`, [eventId])).toEqual([
      { attempt: 1, outcome: 'ignored' },
    ]);
    expect(mailsTo(rita.email, /new messages/).map((m) => m.subject)).toEqual(['4 new messages in Ops']);
    // The apis ran no job: every mail job was completed by the worker process.
    expect(apiA.output()).not.toContain('Mail sent over SMTP');
    expect(apiB.output()).not.toContain('Mail sent over SMTP');
    expect(worker.output()).toContain('Mail sent over SMTP');
  });

  it('killing api A leaves B serving, and A’s sockets reconnect through the balancer to B with their rooms', async () => {
    const owner = await registerOrg(b);
    await setPackage(owner.organizationId, 'basic');
    const ann = await addMember(b, owner, 'Ann');
    const chat = await createGroup({ http: b } as never, owner.accessToken, [ann.userId], 'Failover');
    const balancer = await startBalancer([Number(new URL(apiA.url).port), Number(new URL(apiB.url).port)]);
    try {
      const socket = io(balancer.url, {
        transports: ['websocket'],
        forceNew: true,
        reconnectionDelay: 100,
        reconnectionDelayMax: 500,
        query: { token: ann.accessToken },
      });
      sockets.push(socket);
      await nextEvent(socket, 'connected', 10_000);
      // The first connection went to A (the balancer's first choice): A's process holds it.
      const first = nextEvent<{ id: string; content: string }>(socket, 'message:new');
      const before = await send({ http: b } as never, owner.accessToken, chat, 'before');
      expect(await first).toMatchObject({ id: before.id, content: 'before' });

      // Every push from here on is kept. A's relay may die between pushing 'before' and recording it as delivered;
      // delivery is at least once, so B then pushes it again, with the same id a client deduplicates by.
      const pushed: Array<{ id: string; content: string; chat_id: string }> = [];
      socket.on('message:new', (m: { id: string; content: string; chat_id: string }) => pushed.push(m));
      const readmitted = nextEvent(socket, 'connected', 15_000);
      await apiA.kill('SIGKILL');
      await readmitted;
      expect((await b.get('/users/me', { token: ann.accessToken })).status).toBe(200);
      const after = await send({ http: b } as never, owner.accessToken, chat, 'after');
      await until(async () => (pushed.some((m) => m.id === after.id) ? true : undefined), "'after' on the reconnected socket", 10_000);
      expect(pushed.find((m) => m.id === after.id)).toMatchObject({ content: 'after', chat_id: chat });
      expect(pushed.filter((m) => m.id !== after.id).every((m) => m.id === before.id)).toBe(true);
      expect(pushed.filter((m) => m.id === after.id)).toHaveLength(1);
    } finally {
      await balancer.close();
    }
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIdFor } from '@atrium/platform';
import { SANDBOX_CALLBACK_QUEUE, SandboxGateway } from '@atrium/billing';
import { SandboxCallbackProcessor } from '../../libs/billing/src/gateways/sandbox/sandbox-callback.processor.js';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { freePort } from '../support/free-port.js';
import { LogCapture } from '../support/log-capture.js';
import { dataSource } from '../support/members.js';
import { startTestApp, testRedisUrl, type TestApp } from '../support/test-app.js';

/** A callback receiver standing in for Atrium's webhook route: it keeps every request and answers as told. */
class CaptureServer {
  readonly received: Array<{ headers: IncomingHttpHeaders; body: Buffer; answered: number }> = [];
  /** Statuses to answer, in order, to callbacks about a charge; 200 once they run out. */
  private readonly plans = new Map<string, number[]>();
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const chargeId = (JSON.parse(body.toString()) as { data?: { object?: { id?: string } } }).data?.object?.id ?? '';
        const answered = this.plans.get(chargeId)?.shift() ?? 200;
        this.received.push({ headers: req.headers, body, answered });
        res.writeHead(answered, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/callbacks/sandbox`;
    return this;
  }

  answer(chargeId: string, statuses: number[]): void {
    this.plans.set(chargeId, [...statuses]);
  }

  /** The callbacks about a charge, once there are `count` of them (polled until the deadline). */
  async about(chargeId: string, count = 1, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hits = this.received.filter((r) => r.body.toString().includes(`"id":"${chargeId}"`));
      if (hits.length >= count) return hits;
      if (Date.now() > deadline) throw new Error(`${hits.length} of ${count} callbacks about ${chargeId} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const SECRET = `sbx_${randomBytes(24).toString('hex')}`;
let t: TestApp;
let browser: TestBrowser;
let capture: CaptureServer;
const logs = new LogCapture();
/** Every checkout URL this file opened: none of their tokens may reach a log line. */
const checkoutUrls: string[] = [];

beforeAll(async () => {
  capture = await new CaptureServer().start();
  const port = await freePort();
  [t, browser] = await Promise.all([
    startTestApp({ SANDBOX_CALLBACK_URL: capture.url, SANDBOX_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'info' }, { port, logDestination: logs }),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await capture?.stop();
});

const gateway = () => t.app.get(SandboxGateway);

/** A pending sandbox charge for a fresh organization, created as Atrium's payments will: through the gateway in the app. */
async function newCharge(description = 'Upgrade to Platinum', amountMinor = 4900, on: TestApp = t) {
  const organizationId = randomUUID();
  const paymentId = randomUUID();
  const sandbox = on.app.get(SandboxGateway);
  const customerRef = await sandbox.createCustomer({ organizationId, name: 'Acme' });
  const checkout = await sandbox.createCharge({
    paymentId,
    organizationId,
    customerRef,
    amountMinor,
    currency: 'USD',
    description,
    idempotencyKey: `payment:${paymentId}`,
    returnUrl: 'http://spa.test/billing?paid=1',
  });
  checkoutUrls.push(checkout.checkoutUrl!);
  return { ...checkout, checkoutUrl: checkout.checkoutUrl!, paymentId, organizationId };
}

/** Opens the checkout page in Chromium, types the card and presses Pay; answers the page showing the outcome. */
async function payInBrowser(checkoutUrl: string, card: string) {
  const page = await browser.open(checkoutUrl);
  await page.fill('#card_number', card);
  await page.click('button[value=pay]');
  await page.locator('#outcome').waitFor();
  return page;
}

/** The callback as Atrium will read it: verified on its raw body with the sandbox secret. */
const verified = (hit: { headers: IncomingHttpHeaders; body: Buffer }) =>
  gateway().verifyEvent(hit.body, hit.headers['stripe-signature'] as string | undefined);

describe(`the sandbox checkout page in Chromium (callbacks on BullMQ ${testRedisUrl ? 'Redis' : 'PostgreSQL'})`, () => {
  it('pays with 4242 4242 4242 4242: a signed charge.succeeded callback reaches the callback URL', async () => {
    const charge = await newCharge();
    const page = await payInBrowser(charge.checkoutUrl, '4242 4242 4242 4242');
    expect(await page.locator('#outcome').textContent()).toContain('Payment succeeded');
    expect(await page.locator('a', { hasText: 'Return to the site' }).getAttribute('href')).toBe('http://spa.test/billing?paid=1');

    const [hit] = await capture.about(charge.transactionId);
    expect(hit.headers['content-type']).toBe('application/json');
    const event = verified(hit);
    expect(event).toMatchObject({ type: 'charge.succeeded', transactionId: charge.transactionId, id: expect.stringMatching(/^evt_sbx_/) });
    expect(event.raw).toMatchObject({
      object: 'event',
      data: {
        object: {
          object: 'charge',
          amount: 4900,
          currency: 'usd',
          status: 'succeeded',
          metadata: { payment_id: charge.paymentId, organization_id: charge.organizationId },
        },
      },
    });
    expect(await gateway().retrieveCharge(charge.transactionId)).toMatchObject({ status: 'succeeded', paymentId: charge.paymentId });
  });

  it('declines 4000 0000 0000 0002: charge.failed with card_declined', async () => {
    const charge = await newCharge();
    const page = await payInBrowser(charge.checkoutUrl, '4000 0000 0000 0002');
    expect(await page.locator('#outcome').textContent()).toContain('Your card was declined.');
    const event = verified((await capture.about(charge.transactionId))[0]);
    expect(event.type).toBe('charge.failed');
    expect(event.raw).toMatchObject({ data: { object: { status: 'failed', failure_code: 'card_declined' } } });
    expect(await gateway().retrieveCharge(charge.transactionId)).toMatchObject({ status: 'failed', failureCode: 'card_declined' });
  });

  it('fails 4000 0000 0000 9995 for insufficient funds', async () => {
    const charge = await newCharge();
    await payInBrowser(charge.checkoutUrl, '4000 0000 0000 9995');
    const event = verified((await capture.about(charge.transactionId))[0]);
    expect(event.raw).toMatchObject({ type: 'charge.failed', data: { object: { failure_code: 'insufficient_funds' } } });
  });

  it('shows the form again for a number failing the Luhn check; Cancel then ends the charge with charge.cancelled', async () => {
    const charge = await newCharge();
    const page = await browser.open(charge.checkoutUrl);
    await page.fill('#card_number', '4242 4242 4242 4241');
    await page.click('button[value=pay]');
    await page.locator('.error').waitFor();
    expect(await page.locator('.error').textContent()).toContain('not valid');
    expect(await gateway().retrieveCharge(charge.transactionId)).toMatchObject({ status: 'pending' });
    await page.click('button[value=cancel]');
    await page.locator('#outcome').waitFor();
    expect(await page.locator('#outcome').textContent()).toContain('cancelled');
    expect(verified((await capture.about(charge.transactionId))[0]).type).toBe('charge.cancelled');
  });

  it('retries a callback answered 500: delivered on the third try, one event id, each try signed afresh', { timeout: 30_000 }, async () => {
    const charge = await newCharge();
    capture.answer(charge.transactionId, [500, 500]);
    await payInBrowser(charge.checkoutUrl, '4242 4242 4242 4242');
    const hits = await capture.about(charge.transactionId, 3, 20_000);
    expect(hits.map((h) => h.answered)).toEqual([500, 500, 200]);
    const ids = hits.map((h) => verified(h).id);
    expect(new Set(ids).size).toBe(1);
    // Tries are a second or more apart, so each carries its own, later `t`.
    const stamps = hits.map((h) => Number(/t=(\d+)/.exec(h.headers['stripe-signature'] as string)?.[1]));
    expect(stamps[1]).toBeGreaterThan(stamps[0]);
    expect(stamps[2]).toBeGreaterThan(stamps[1]);
    const deadline = Date.now() + 5_000;
    let row: { attempts: number; delivered_at: Date | null } | undefined;
    do {
      [row] = await dataSource(t).query('SELECT attempts, delivered_at FROM sandbox_events WHERE id = $1', [ids[0]]);
      if (row?.delivered_at) break;
      await new Promise((r) => setTimeout(r, 25));
    } while (Date.now() < deadline);
    expect(row).toEqual({ attempts: 3, delivered_at: expect.any(Date) });
    // The job names the event only: no secret, no signature, no card number travels through the queue.
    const job = await t.app.get<Queue>(getQueueToken(SANDBOX_CALLBACK_QUEUE)).getJob(jobIdFor(`sandbox-callback:${ids[0]}`));
    expect(job?.data.data).toEqual({ event_id: ids[0] });
    const kept = JSON.stringify([job?.data, job?.returnvalue, job?.failedReason]);
    for (const secret of [SECRET, '4242424242424242', '4242 4242 4242 4242', 'v1=']) expect(kept).not.toContain(secret);
  });
});

describe('the checkout page over plain HTTP', () => {
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

  it('is HTML under a strict policy, never cached, with every value escaped', async () => {
    const charge = await newCharge('<script>alert("x")</script> & <b>Platinum</b>', 123456);
    const res = await fetch(charge.checkoutUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('script-src');
    const html = await res.text();
    expect(html).toContain('$1,234.56');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Platinum&lt;/b&gt;');
    expect(html).not.toContain('<script>');
    for (const card of ['4242 4242 4242 4242', '4000 0000 0000 0002', '4000 0000 0000 9995']) expect(html).toContain(card);
    // In the browser the description is text, and the stylesheet is allowed by its hash (the page is styled).
    const page = await browser.open(charge.checkoutUrl);
    expect(await page.locator('#description').textContent()).toBe('<script>alert("x")</script> & <b>Platinum</b>');
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('button.pay').evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(67, 56, 202)');
  });

  it('records the outcome once: a second submit shows the final state, and the used link answers 404', async () => {
    const charge = await newCharge();
    const [first, second] = await Promise.all([
      fetch(charge.checkoutUrl, form({ action: 'pay', card_number: '4242424242424242' })),
      fetch(charge.checkoutUrl, form({ action: 'pay', card_number: '4000000000000002' })),
    ]);
    const pages = [await first.text(), await second.text()];
    expect([first.status, second.status]).toEqual([200, 200]);
    const outcome = (await gateway().retrieveCharge(charge.transactionId)).status;
    // Whichever submit won, both pages show its outcome.
    const shown = outcome === 'succeeded' ? 'Payment succeeded' : 'Payment failed';
    expect(pages.every((p) => p.includes(shown))).toBe(true);
    const again = await fetch(charge.checkoutUrl, form({ action: 'cancel' }));
    expect(await again.text()).toContain(shown);
    expect((await gateway().retrieveCharge(charge.transactionId)).status).toBe(outcome);
    const used = await fetch(charge.checkoutUrl);
    expect(used.status).toBe(404);
    expect(await used.text()).toContain('Checkout not found');
    // One outcome, one event, one callback.
    const events = await dataSource(t).query('SELECT type FROM sandbox_events WHERE charge_id = $1', [charge.transactionId]);
    expect(events).toEqual([{ type: `charge.${outcome}` }]);
    expect(verified((await capture.about(charge.transactionId))[0]).type).toBe(`charge.${outcome}`);
  });

  it('answers an unknown token with a 404 page', async () => {
    const res = await fetch(`${t.url}/api/v1/sandbox/checkout/${randomBytes(32).toString('base64url')}`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('Checkout not found');
    const post = await fetch(`${t.url}/api/v1/sandbox/checkout/not-a-token`, form({ action: 'pay', card_number: '4242424242424242' }));
    expect(post.status).toBe(404);
  });

  it('refuses a real (non-test) card number, keeping the charge pending', async () => {
    const charge = await newCharge();
    const res = await fetch(charge.checkoutUrl, form({ action: 'pay', card_number: '4111 1111 1111 1111' }));
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('only the test card numbers');
    expect((await gateway().retrieveCharge(charge.transactionId)).status).toBe('pending');
  });
});

describe('an api without workers, and a separate worker process', () => {
  let api: TestApp;
  let worker: INestApplicationContext | undefined;
  beforeAll(async () => {
    // A queue namespace of its own, so no worker of this file's other app can send the callback.
    api = await startTestApp({
      SANDBOX_CALLBACK_URL: capture.url,
      SANDBOX_WEBHOOK_SECRET: SECRET,
      RUN_WORKERS: 'false',
      QUEUE_PREFIX: `t${randomBytes(6).toString('hex')}`,
    });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('queues the callback in the api; the worker sends it', async () => {
    expect(() => api.app.get(SandboxCallbackProcessor, { strict: false })).toThrow();
    const charge = await newCharge('Add-on: calls', 900, api);
    const res = await fetch(charge.checkoutUrl.replace('http://atrium.test', api.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=pay&card_number=4242+4242+4242+4242',
    });
    expect(await res.text()).toContain('Payment succeeded');
    const [event] = await dataSource(api).query('SELECT id FROM sandbox_events WHERE charge_id = $1', [charge.transactionId]);
    const queue = api.app.get<Queue>(getQueueToken(SANDBOX_CALLBACK_QUEUE));
    const key = jobIdFor(`sandbox-callback:${event.id}`);
    const deadline = Date.now() + 10_000;
    while (!(await queue.getJob(key)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(await queue.getJobState(key)).toBe('waiting');
    expect(capture.received.some((r) => r.body.toString().includes(charge.transactionId))).toBe(false);

    worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(api.config.with({ queue: { ...api.config.queue, runWorkers: true } })),
      {
        logger: false,
      },
    );
    expect(worker.get(SandboxCallbackProcessor, { strict: false })).toBeInstanceOf(SandboxCallbackProcessor);
    const [hit] = await capture.about(charge.transactionId);
    expect(verified(hit)).toMatchObject({ id: event.id, type: 'charge.succeeded' });
  });
});

describe('the logs of all of the above', () => {
  it('hold no checkout token, sandbox secret or card number', async () => {
    await logs.waitFor((e) => e.msg === 'request' && e.path === '/api/v1/sandbox/checkout/:token');
    const written = logs.lines.join('\n');
    const tokens = checkoutUrls.map((u) => u.split('/').pop()!);
    expect(tokens.length).toBeGreaterThan(5);
    for (const secret of [SECRET, ...tokens, '4242424242424242', '4242 4242 4242 4242', '4000000000000002']) {
      expect(written).not.toContain(secret);
    }
  });
});

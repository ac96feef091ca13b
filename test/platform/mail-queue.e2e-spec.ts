import { randomBytes } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIdFor, MAIL_QUEUE, type MailJob, MailService, type MailMessage, RequestContext } from '@atrium/platform';
import { MailProcessor } from '../../libs/platform/src/mail/mail.processor.js';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { registerOrg, uniqueEmail } from '../support/factories.js';
import { freePort } from '../support/free-port.js';
import { settledJob } from '../support/jobs.js';
import { Mailbox } from '../support/mailbox.js';
import { dataSource } from '../support/members.js';
import { startTestApp, testRedisUrl, type TestApp } from '../support/test-app.js';

let mailbox: Mailbox;

beforeAll(async () => {
  mailbox = await new Mailbox().start();
});
afterAll(async () => {
  await mailbox?.stop();
});

const mailQueue = (t: TestApp) => t.app.get<Queue>(getQueueToken(MAIL_QUEUE));

/** The job once it exists: mail is queued by the outbox relay shortly after the commit that wrote it. */
async function jobOnceQueued(queue: Queue, jobId: string, timeoutMs = 15_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await queue.getJob(jobId);
    if (job) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} not queued after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A mail carrying a one-time link, as the account mails do; `secret` is its token. */
function linkMail(to: string): { message: MailMessage; secret: string } {
  const secret = randomBytes(32).toString('base64url');
  const link = `http://atrium.test/reset-password?token=${secret}`;
  return {
    secret,
    message: { to, subject: 'Your link', text: `Open ${link}`, html: `<a href="${link}">Open</a>`, links: [link] },
  };
}

/** The outbox events that queued a delivery (they must name it, never carry its message). */
const queuedEvents = (t: TestApp, key: string): Promise<Array<{ payload: Record<string, unknown> }>> =>
  dataSource(t).query(`SELECT payload FROM outbox_events WHERE name = 'mail.queued' AND payload ->> 'idempotency_key' = $1`, [key]);

/** What the queue (every finished or waiting job) and the database keep about mail, as text to search for a secret. */
async function retained(t: TestApp, queue: Queue, key: string): Promise<string> {
  const jobs = [
    ...(await queue.getCompleted()),
    ...(await queue.getFailed()),
    ...(await queue.getDelayed()),
    ...(await queue.getWaiting()),
  ];
  const rows = await dataSource(t).query('SELECT * FROM mail_deliveries WHERE idempotency_key = $1', [key]);
  const events = await queuedEvents(t, key);
  return JSON.stringify([jobs.map((j) => ({ data: j.data, returnvalue: j.returnvalue, failedReason: j.failedReason })), rows, events]);
}

describe(`mail through the queue (BullMQ on ${testRedisUrl ? 'Redis' : 'PostgreSQL'})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SMTP_URL: mailbox.url });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends a welcome mail over SMTP when an organization registers', async () => {
    const email = uniqueEmail('welcome');
    await registerOrg(t.http, { email, organization_name: 'Welcome Works' });
    const mail = await mailbox.waitFor(email, /Welcome to Atrium/);
    expect(mail.text).toContain('Welcome Works');
    expect(mail.text).toContain('http://atrium.test/');
  });

  it('keeps no link in the job or in mail_deliveries once the mail is sent', async () => {
    const to = uniqueEmail('link');
    const { message, secret } = linkMail(to);
    const key = `link:${to}`;
    await t.app.get(MailService).send(RequestContext.system('test'), message, key);
    expect((await mailbox.waitFor(to, /Your link/)).text).toContain(secret);
    const job = await settledJob(mailQueue(t), jobIdFor(key));
    expect(await job.getState()).toBe('completed');
    expect(await retained(t, mailQueue(t), key)).not.toContain(secret);
    const [row] = await dataSource(t).query('SELECT sent_at FROM mail_deliveries WHERE idempotency_key = $1', [key]);
    expect(row.sent_at).not.toBeNull();
  });

  it('sends a mail once however often, and however concurrently, its job runs', async () => {
    const to = uniqueEmail('once');
    const key = `once:${to}`;
    const queue = mailQueue(t);
    await t.app.get(MailService).send(RequestContext.system('test'), { to, subject: 'Only once', text: 'hello' }, key);
    // The same delivery under another job id (BullMQ cannot collapse the two), and two runs of the processor at
    // once beside the worker's: only the processor's claim keeps this to one mail.
    const original = await jobOnceQueued(queue, jobIdFor(key));
    await queue.add('send', original.data, { jobId: `${jobIdFor(key)}-again` });
    const processor = t.app.get(MailProcessor);
    const direct = [0, 1].map(() => processor.process({ data: original.data, attemptsMade: 0, opts: { attempts: 5 } } as Job<MailJob>));
    const queued = await Promise.all([settledJob(queue, jobIdFor(key)), settledJob(queue, `${jobIdFor(key)}-again`)]);
    const outcomes = [
      ...queued.map((j) => j.returnvalue as { sent: boolean }),
      ...((await Promise.all(direct)) as Array<{ sent: boolean }>),
    ];
    expect(outcomes.filter((o) => o.sent)).toHaveLength(1);
    expect(mailbox.count(to)).toBe(1);
  });

  it('carries the headers a message names to the SMTP server, as the one-click unsubscribe needs', async () => {
    const to = uniqueEmail('headers');
    const unsubscribe = `<http://atrium.test/api/v1/notifications/unsubscribe?token=${randomBytes(24).toString('base64url')}>`;
    const headers = { 'List-Unsubscribe': unsubscribe, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
    await t.app
      .get(MailService)
      .send(RequestContext.system('test'), { to, subject: 'With headers', text: 'hello', headers }, `headers:${to}`);
    const mail = await mailbox.waitFor(to, /With headers/);
    expect(mail.headers['list-unsubscribe']).toBe(unsubscribe);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
  });

  it('holds a mail sent with notBefore: its job waits delayed, and the mail arrives once that time has passed', async () => {
    const to = uniqueEmail('held');
    const key = `held:${to}`;
    const notBefore = new Date(Date.now() + 2_000);
    await t.app
      .get(MailService)
      .send(RequestContext.system('test'), { to, subject: 'Held until later', text: 'later' }, key, { notBefore });
    const job = await jobOnceQueued(mailQueue(t), jobIdFor(key));
    expect(await job.getState()).toBe('delayed');
    expect(mailbox.count(to)).toBe(0);
    // The event that queued it carries the time (no query per event), never the message.
    expect((await queuedEvents(t, key)).map((e) => e.payload)).toEqual([
      { idempotency_key: key, organization_id: null, send_after: notBefore.toISOString() },
    ]);
    const mail = await mailbox.waitFor(to, /Held until later/);
    expect(mail.receivedAt.getTime()).toBeGreaterThanOrEqual(notBefore.getTime());
    expect(await (await settledJob(mailQueue(t), jobIdFor(key))).getState()).toBe('completed');
    const [row] = await dataSource(t).query('SELECT send_after, sent_at FROM mail_deliveries WHERE idempotency_key = $1', [key]);
    expect(row.send_after).toEqual(notBefore);
    expect(row.sent_at.getTime()).toBeGreaterThanOrEqual(notBefore.getTime());
  });

  it('refuses a header with a line break, or one the transport sets itself, and stores nothing', async () => {
    const to = uniqueEmail('inject');
    const key = `inject:${to}`;
    const mail = t.app.get(MailService);
    const refused: Array<Record<string, string>> = [
      { 'X-Note': 'hello\r\nBcc: eve@example.test' },
      { 'X-Note': 'hello\nBcc: eve@example.test' },
      { 'X-Note\r\nBcc': 'eve@example.test' },
      { Bcc: 'eve@example.test' },
      { 'content-type': 'text/html' },
    ];
    for (const headers of refused) {
      await expect(mail.send(RequestContext.system('test'), { to, subject: 'Injected', text: 'x', headers }, key)).rejects.toThrow(
        /^Mail header/,
      );
    }
    expect(await dataSource(t).query('SELECT 1 FROM mail_deliveries WHERE idempotency_key = $1', [key])).toHaveLength(0);
  });
});

describe('a delivery that fails for good', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${await freePort()}` });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps no link in the failed job or in mail_deliveries', { timeout: 45_000 }, async () => {
    const to = uniqueEmail('bounce');
    const { message, secret } = linkMail(to);
    const key = `bounce:${to}`;
    await t.app.get(MailService).send(RequestContext.system('test'), message, key);
    // Five attempts with exponential backoff from one second: about fifteen seconds.
    const job = await settledJob(mailQueue(t), jobIdFor(key), 40_000);
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(5);
    expect(await retained(t, mailQueue(t), key)).not.toContain(secret);
    const [row] = await dataSource(t).query('SELECT sent_at, failed_at FROM mail_deliveries WHERE idempotency_key = $1', [key]);
    expect(row).toMatchObject({ sent_at: null, failed_at: expect.any(Date) });
  });
});

describe('api without workers, and a separate worker process', () => {
  let api: TestApp;
  let worker: INestApplicationContext | undefined;
  beforeAll(async () => {
    // A queue namespace of its own: no worker of the file's other apps may be counted or pick the job up.
    api = await startTestApp({ SMTP_URL: mailbox.url, RUN_WORKERS: 'false', QUEUE_PREFIX: `t${randomBytes(6).toString('hex')}` });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('leaves mail queued until a worker runs, then the worker delivers it', async () => {
    const email = uniqueEmail('split');
    const org = await registerOrg(api.http, { email });
    const queue = mailQueue(api);
    const welcome = await jobOnceQueued(queue, jobIdFor(`welcome:${org.userId}`));
    expect(await welcome.getState()).toBe('waiting');
    // No worker in this process (BullMQ's worker count is not per namespace on PostgreSQL, so it would count other files').
    expect(() => api.app.get(MailProcessor, { strict: false })).toThrow();
    expect(mailbox.count(email)).toBe(0);
    worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(api.config.with({ queue: { ...api.config.queue, runWorkers: true } })),
      {
        logger: false,
      },
    );
    expect(worker.get(MailProcessor, { strict: false })).toBeInstanceOf(MailProcessor);
    const mail = await mailbox.waitFor(email, /Welcome/);
    expect(mail.subject).toMatch(/Welcome to Atrium/);
  });
});

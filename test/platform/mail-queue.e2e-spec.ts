import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailService, RequestContext } from '@atrium/platform';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { registerOrg, uniqueEmail } from '../support/factories.js';
import { Mailbox } from '../support/mailbox.js';
import { startTestApp, testRedisUrl, type TestApp } from '../support/test-app.js';

let mailbox: Mailbox;

beforeAll(async () => {
  mailbox = await new Mailbox().start();
});
afterAll(async () => {
  await mailbox?.stop();
});

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

  it('sends a mail once even when the same job is queued twice', async () => {
    const to = uniqueEmail('once');
    const mail = t.app.get(MailService);
    const ctx = RequestContext.system('test');
    await mail.send(ctx, { to, subject: 'Only once', text: 'hello' }, `once:${to}`);
    await mail.send(ctx, { to, subject: 'Only once', text: 'hello' }, `once:${to}`);
    await mailbox.waitFor(to, /Only once/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(mailbox.count(to)).toBe(1);
  });
});

describe('api without workers, and a separate worker process', () => {
  let api: TestApp;
  let worker: INestApplicationContext | undefined;
  beforeAll(async () => {
    api = await startTestApp({ SMTP_URL: mailbox.url, RUN_WORKERS: 'false' });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('leaves mail queued until a worker runs, then the worker delivers it', async () => {
    const email = uniqueEmail('split');
    await registerOrg(api.http, { email });
    await new Promise((r) => setTimeout(r, 1500));
    expect(mailbox.count(email)).toBe(0);
    worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(api.config.with({ queue: { ...api.config.queue, runWorkers: true } })),
      {
        logger: false,
      },
    );
    const mail = await mailbox.waitFor(email, /Welcome/);
    expect(mail.subject).toMatch(/Welcome to Atrium/);
  });
});

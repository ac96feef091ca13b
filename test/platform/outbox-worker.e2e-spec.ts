import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig, Outbox } from '@atrium/platform';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { registerOrg } from '../support/factories.js';
import { dropDatabase, openScratchDatabase } from '../support/scratch-database.js';
import { connectSocket, nextEvent } from '../support/socket.js';
import { startTestApp, testRedisUrl, type TestApp } from '../support/test-app.js';

// Only this file's processes may relay its events (other files' apps run relays on the run's database): its own database.
let url: string;
let api: TestApp;
let worker: INestApplicationContext;
let workerData: string;

beforeAll(async () => {
  const runUrl = new URL(inject('databaseUrl'));
  // A fixed name (dropped first), so a run that could not clean up leaves one database behind, not one per run.
  runUrl.pathname = `${runUrl.pathname}_outbox_worker_spec`;
  await dropDatabase(runUrl.toString());
  url = (await openScratchDatabase('outbox-worker', runUrl.toString())).url;
  api = await startTestApp({ DATABASE_URL: url, OUTBOX_RELAY: 'false' });
  workerData = mkdtempSync(join(tmpdir(), 'atrium-test-worker-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    REDIS_URL: testRedisUrl,
    DATA_DIR: workerData,
    LOG_LEVEL: 'silent',
    DATABASE_POOL_SIZE: '5',
    MIGRATIONS_RUN: 'false',
    QUEUE_PREFIX: api.config.queue.prefix,
    JWT_SECRET: 'atrium-test-jwt-secret-at-least-32-characters',
    ENCRYPTION_KEY: '7f'.repeat(32),
  });
  worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
});

afterAll(async () => {
  await Promise.all([api?.close(), worker?.close()]);
  if (workerData) rmSync(workerData, { recursive: true, force: true });
  if (url) await dropDatabase(url);
});

describe(`outbox relay in the worker (fan-out over ${testRedisUrl ? 'Redis' : 'PostgreSQL'})`, () => {
  it('pushes an event committed by an api without a relay to that api’s sockets, through the adapter', async () => {
    const org = await registerOrg(api.http);
    const socket = await connectSocket(api.url, { token: org.accessToken });
    try {
      const received = nextEvent<{ n: number }>(socket, 'test:from-worker');
      await new Promise((r) => setTimeout(r, 300));
      await api.db.transaction(async (em) =>
        api.app.get(Outbox).add(em, {
          name: 'test:from-worker',
          organizationId: org.organizationId,
          payload: { n: 3 },
          rooms: [`org:${org.organizationId}`],
        }),
      );
      expect(await received).toEqual({ n: 3 });
    } finally {
      socket.close();
    }
  });
});

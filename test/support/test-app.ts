import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { inject } from 'vitest';
import { DataSource } from 'typeorm';
import { createDataSource, loadConfig, type AppConfig } from '@atrium/platform';
import { createApp } from '../../apps/api/src/create-app.js';
import { HttpClient } from './http-client.js';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  url: string;
  http: HttpClient;
  /**
   * The database as its owner sees it, to set up and inspect rows directly: row-level security hides every tenant row
   * from the app's own connections outside a request or job (tenant-scope.ts).
   */
  db: DataSource;
  close(): Promise<void>;
}

/** The queue and socket fan-out backend under test: Redis when the run sets REDIS_URL, else PostgreSQL. */
export const testRedisUrl = process.env.REDIS_URL || undefined;

/** Instances started by one spec file share a queue namespace (like one deployment); files never steal each other's jobs. */
const fileQueuePrefix = `t${randomBytes(6).toString('hex')}`;

/**
 * Starts the real application on an ephemeral port against the run's database, with its own data
 * directory. `env` overrides settings as an operator would (e.g. SMTP_URL, RATE_LIMIT_AUTH_PER_MINUTE);
 * `opts.imports` adds test-only modules (e.g. a probe gateway) to the application; `opts.logDestination` receives
 * the app's log lines (set LOG_LEVEL too) for specs that read them. `opts.port` (e.g. from `freePort()`) makes the
 * app listen there with PUBLIC_URL pointing at it, so links it builds (checkout pages) open in a real browser.
 */
export async function startTestApp(
  env: Record<string, string | undefined> = {},
  opts: { imports?: NonNullable<ModuleMetadata['imports']>; logDestination?: DestinationStream; port?: number } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-test-data-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: testRedisUrl,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PUBLIC_URL: opts.port ? `http://127.0.0.1:${opts.port}` : 'http://atrium.test',
    DATABASE_POOL_SIZE: '5',
    // Some specs start three instances, each with a pool per queue and worker, against PostgreSQL's default 100 connections.
    QUEUE_DATABASE_POOL_SIZE: '2',
    MIGRATIONS_RUN: 'false',
    QUEUE_PREFIX: fileQueuePrefix,
    // Suites sign in many times from 127.0.0.1; rate-limit specs lower these explicitly.
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_AUTH_FAILURES: '100000',
    RATE_LIMIT_REGISTRATION_PER_HOUR: '100000',
    RATE_LIMIT_RESEND_VERIFICATION_PER_HOUR: '100000',
    RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
    // Shared by every instance of the run, as in a real scale-out.
    JWT_SECRET: 'atrium-test-jwt-secret-at-least-32-characters',
    ENCRYPTION_KEY: '7f'.repeat(32),
    // The renewal scan moves money on every organization of the shared database: specs run it themselves
    // (RenewalService.runDue) or opt in to the job scheduler with this setting.
    BILLING_RENEWAL_SCAN_MS: '0',
    ...env,
  });
  const app = await createApp(config, opts);
  await app.listen(opts.port ?? 0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const db = createDataSource({
    url: config.database.url!,
    entities: app.get(DataSource).options.entities ?? [],
    migrations: [],
    poolSize: 2,
    applicationName: 'atrium-test-owner',
  });
  await db.initialize();
  return {
    app,
    config,
    url,
    http: new HttpClient(`${url}/api/v1`),
    db,
    close: async () => {
      await db.destroy();
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

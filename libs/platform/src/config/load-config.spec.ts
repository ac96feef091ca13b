import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config.error.js';
import { queueConnection } from '../queue/queue.module.js';
import { loadConfig, localSecret } from './load-config.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'atrium-config-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('loadConfig', () => {
  it('runs on defaults alone, generating local secrets once and reusing them', () => {
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    expect(first.http.port).toBe(3000);
    expect(first.database.url).toBeUndefined();
    expect(first.redisUrl).toBeUndefined();
    expect(first.queue.runWorkers).toBe(true);
    const secrets = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'));
    expect(secrets.jwt_secret.length).toBeGreaterThanOrEqual(32);
    const second = loadConfig({ DATA_DIR: dir });
    expect(second.auth.jwtKey.export().equals(first.auth.jwtKey.export())).toBe(true);
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
  });

  it("sizes each BullMQ queue's PostgreSQL pool from QUEUE_DATABASE_POOL_SIZE, at least 2", () => {
    const config = loadConfig({ DATA_DIR: tempDir() });
    expect(config.queue.databasePoolSize).toBe(4);
    expect(queueConnection(config)).toMatchObject({ max: 4, schema: 'bullmq_atrium' });
    const small = loadConfig({ DATA_DIR: tempDir(), QUEUE_DATABASE_POOL_SIZE: '2' });
    expect(queueConnection(small)).toMatchObject({ max: 2 });
    // One connection deadlocks the backend's own schema migration (it holds one in a transaction and takes another).
    expect(() => loadConfig({ DATA_DIR: tempDir(), QUEUE_DATABASE_POOL_SIZE: '1' })).toThrow(/QUEUE_DATABASE_POOL_SIZE/);
  });

  it('defaults the outbox settings and names each bad one', () => {
    const config = loadConfig({ DATA_DIR: tempDir() });
    expect(config.outbox).toEqual({ relay: true, pollIntervalMs: 1000, maxAttempts: 8, retentionDays: 7, handlerTimeoutMs: 30_000 });
    expect(
      loadConfig({ DATA_DIR: tempDir(), OUTBOX_RELAY: 'false', OUTBOX_RETENTION_DAYS: '30', OUTBOX_HANDLER_TIMEOUT_MS: '5000' }).outbox,
    ).toMatchObject({
      relay: false,
      retentionDays: 30,
      handlerTimeoutMs: 5000,
    });
    let error: unknown;
    try {
      loadConfig({
        DATA_DIR: tempDir(),
        OUTBOX_MAX_ATTEMPTS: '0',
        OUTBOX_RETENTION_DAYS: 'week',
        OUTBOX_POLL_INTERVAL_MS: '5',
        OUTBOX_HANDLER_TIMEOUT_MS: '50',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['OUTBOX_MAX_ATTEMPTS', 'OUTBOX_RETENTION_DAYS', 'OUTBOX_POLL_INTERVAL_MS', 'OUTBOX_HANDLER_TIMEOUT_MS']) {
      expect(message).toContain(name);
    }
  });

  it("keeps a library's development secret beside the app's: generated once per name, reused, the others untouched", () => {
    const dir = tempDir();
    const config = loadConfig({ DATA_DIR: dir });
    const stripe = localSecret(dir, 'stripe_webhook_secret');
    expect(stripe.length).toBeGreaterThanOrEqual(32);
    expect(localSecret(dir, 'stripe_webhook_secret')).toBe(stripe);
    expect(localSecret(dir, 'sandbox_webhook_secret')).not.toBe(stripe);
    const again = loadConfig({ DATA_DIR: dir });
    expect(again.auth.jwtKey.export().equals(config.auth.jwtKey.export())).toBe(true);
    expect(again.encryptionKey.equals(config.encryptionKey)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'))).toMatchObject({
      stripe_webhook_secret: stripe,
      sandbox_webhook_secret: expect.any(String),
    });
  });

  it('stops with a message naming every bad variable', () => {
    let error: unknown;
    try {
      loadConfig({ DATA_DIR: tempDir(), PORT: 'eighty', DATABASE_URL: 'mysql://x', RUN_WORKERS: 'maybe', JWT_SECRET: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'DATABASE_URL', 'RUN_WORKERS', 'JWT_SECRET']) expect(message).toContain(name);
  });

  it('requires real secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tempDir() })).toThrowError(
      /JWT_SECRET: required in production[\s\S]*ENCRYPTION_KEY[\s\S]*CORS_ORIGINS: required in production/,
    );
    const ok = loadConfig({
      NODE_ENV: 'production',
      DATA_DIR: tempDir(),
      JWT_SECRET: 'x'.repeat(40),
      ENCRYPTION_KEY: 'ab'.repeat(32),
      SMTP_URL: 'smtp://mail.example.com:587',
      CORS_ORIGINS: 'https://app.example.com, https://admin.example.com',
      TRUST_PROXY: '1',
    });
    expect(ok.encryptionKey).toHaveLength(32);
    expect(ok.http.corsOrigins).toEqual(['https://app.example.com', 'https://admin.example.com']);
    expect(ok.http.trustProxy).toBe(1);
  });

  it('refuses TRUST_PROXY=true and takes a hop count or a list of addresses and subnets', () => {
    for (const value of ['true', 'TRUE']) {
      expect(() => loadConfig({ DATA_DIR: tempDir(), TRUST_PROXY: value })).toThrowError(
        /TRUST_PROXY: .*every hop.*X-Forwarded-For.*hop count.*subnets/,
      );
    }
    expect(() => loadConfig({ DATA_DIR: tempDir(), TRUST_PROXY: '10.0.0.0/33, proxy.local, yes' })).toThrowError(
      /TRUST_PROXY: .*"10\.0\.0\.0\/33", "proxy\.local", "yes"/,
    );
    const dir = tempDir();
    expect(loadConfig({ DATA_DIR: dir }).http.trustProxy).toBe(false);
    expect(loadConfig({ DATA_DIR: dir, TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ DATA_DIR: dir, TRUST_PROXY: ' 10.0.0.0/8, loopback,2001:db8::/32 , 192.0.2.7' }).http.trustProxy).toBe(
      '10.0.0.0/8,loopback,2001:db8::/32,192.0.2.7',
    );
  });

  it('defaults the per-account ceiling of failed sign-ins to ten times the per-address budget', () => {
    const dir = tempDir();
    expect(loadConfig({ DATA_DIR: dir, RATE_LIMIT_AUTH_FAILURES: '3' }).rateLimit).toMatchObject({
      authFailures: 3,
      authAccountFailures: 30,
    });
    expect(
      loadConfig({ DATA_DIR: dir, RATE_LIMIT_AUTH_FAILURES: '3', RATE_LIMIT_AUTH_ACCOUNT_FAILURES: '7' }).rateLimit.authAccountFailures,
    ).toBe(7);
  });

  it('refuses the file mail transport in production unless MAIL_FILE_TRANSPORT allows it', () => {
    const production = {
      NODE_ENV: 'production',
      DATA_DIR: tempDir(),
      JWT_SECRET: 'x'.repeat(40),
      ENCRYPTION_KEY: 'ab'.repeat(32),
      CORS_ORIGINS: 'https://app.example.com',
    };
    expect(() => loadConfig(production)).toThrowError(/SMTP_URL: required in production[\s\S]*MAIL_FILE_TRANSPORT=true/);
    expect(loadConfig({ ...production, SMTP_URL: 'smtp://mail.example.com:587' }).mail.smtpUrl).toBe('smtp://mail.example.com:587');
    expect(loadConfig({ ...production, MAIL_FILE_TRANSPORT: 'true' }).mail.smtpUrl).toBeUndefined();
    expect(() => loadConfig({ ...production, MAIL_FILE_TRANSPORT: 'maybe' })).toThrowError(/MAIL_FILE_TRANSPORT/);
  });
});

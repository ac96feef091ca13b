import { describe, expect, it } from 'vitest';
import { type AppConfig, ConfigError } from '@atrium/platform';
import { loadIntegrationsConfig } from './integrations.config.js';

const appWithPool = (poolSize: number) => ({ database: { poolSize } }) as AppConfig;
const load = (source: Record<string, string>) => loadIntegrationsConfig(appWithPool(20), source);

describe('loadIntegrationsConfig: first attempts of received events', () => {
  it('runs 16 at once, polls every 250 ms and leases taken events for 30 s by default', () => {
    expect(load({}).processing).toEqual({ concurrency: 16, pollMs: 250, leaseMs: 30_000 });
  });

  it('leaves at least 4 connections of the pool (and one run) to the rest of the process; 0 runs none', () => {
    expect(loadIntegrationsConfig(appWithPool(10), {}).processing.concurrency).toBe(6);
    expect(loadIntegrationsConfig(appWithPool(3), {}).processing.concurrency).toBe(1);
    expect(loadIntegrationsConfig(appWithPool(40), { WEBHOOK_PROCESSING_CONCURRENCY: '30' }).processing.concurrency).toBe(30);
    expect(load({ WEBHOOK_PROCESSING_CONCURRENCY: '0' }).processing.concurrency).toBe(0);
    expect(load({ WEBHOOK_PROCESSING_LEASE_SECONDS: '1.5', WEBHOOK_POLL_INTERVAL_MS: '50' }).processing).toMatchObject({
      pollMs: 50,
      leaseMs: 1500,
    });
  });

  it('refuses bad values, naming every variable', () => {
    let error: unknown;
    try {
      load({ WEBHOOK_PROCESSING_CONCURRENCY: '-1', WEBHOOK_POLL_INTERVAL_MS: '5', WEBHOOK_PROCESSING_LEASE_SECONDS: 'long' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect([...new Set((error as ConfigError).problems.map((p) => p.split(':')[0]))].sort()).toEqual([
      'WEBHOOK_POLL_INTERVAL_MS',
      'WEBHOOK_PROCESSING_CONCURRENCY',
      'WEBHOOK_PROCESSING_LEASE_SECONDS',
    ]);
  });
});

describe('loadIntegrationsConfig: health, outbound and sync settings', () => {
  it('defaults to a one-minute probe, a closed outbound policy and 100-record pages', () => {
    const config = load({});
    expect(config.health).toEqual({ intervalMs: 60_000, timeoutMs: 5000, slowMs: 1000 });
    expect(config.outbound).toEqual({ allowLoopback: false, allowPrivate: false });
    expect(config.sync).toEqual({ pageSize: 100, leaseMs: 120_000 });
  });

  it('reads fractions of seconds and the boolean switches', () => {
    const config = load({
      INTEGRATION_HEALTH_INTERVAL_SECONDS: '0.3',
      INTEGRATION_OUTBOUND_ALLOW_LOOPBACK: 'true',
      INTEGRATION_OUTBOUND_ALLOW_PRIVATE: 'false',
      INTEGRATION_SYNC_LEASE_SECONDS: '2',
    });
    expect(config.health.intervalMs).toBe(300);
    expect(config.outbound).toEqual({ allowLoopback: true, allowPrivate: false });
    expect(config.sync.leaseMs).toBe(2000);
  });

  it('refuses bad values, naming every variable', () => {
    let error: unknown;
    try {
      load({
        INTEGRATION_HEALTH_INTERVAL_SECONDS: '-1',
        INTEGRATION_HEALTH_TIMEOUT_MS: 'soon',
        INTEGRATION_OUTBOUND_ALLOW_LOOPBACK: 'maybe',
        INTEGRATION_SYNC_PAGE_SIZE: '5000',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const named = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(new Set(named)).toEqual(
      new Set([
        'INTEGRATION_HEALTH_INTERVAL_SECONDS',
        'INTEGRATION_HEALTH_TIMEOUT_MS',
        'INTEGRATION_OUTBOUND_ALLOW_LOOPBACK',
        'INTEGRATION_SYNC_PAGE_SIZE',
      ]),
    );
  });
});

describe('loadIntegrationsConfig: retries, retention and the queue pool', () => {
  it('retries after 1 min, 5 min, 30 min, 2 h and 6 h by default (6 attempts), keeps settled events 7 days', () => {
    const c = load({});
    expect(c.retryDelaysMs).toEqual([60_000, 300_000, 1_800_000, 7_200_000, 21_600_000]);
    expect(c.maxAttempts).toBe(6);
    expect(c.retryJitter).toBe(0.2);
    expect(c.retentionDays).toBe(7);
    expect(c.queuePoolSize).toBeUndefined();
  });

  it('takes fractional waits, so tests retry in milliseconds', () => {
    const c = load({ WEBHOOK_RETRY_DELAYS_SECONDS: '0.05, 0.05,1', WEBHOOK_RETRY_JITTER: '0', WEBHOOK_QUEUE_POOL_SIZE: '12' });
    expect([c.retryDelaysMs, c.maxAttempts, c.retryJitter, c.queuePoolSize]).toEqual([[50, 50, 1000], 4, 0, 12]);
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      load({
        WEBHOOK_RETRY_DELAYS_SECONDS: '1 min',
        WEBHOOK_RETRY_JITTER: '2',
        WEBHOOK_EVENT_RETENTION_DAYS: '3',
        WEBHOOK_QUEUE_POOL_SIZE: '0',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of [
      'WEBHOOK_RETRY_DELAYS_SECONDS',
      'WEBHOOK_RETRY_JITTER',
      'WEBHOOK_EVENT_RETENTION_DAYS',
      'WEBHOOK_QUEUE_POOL_SIZE',
    ]) {
      expect(message).toContain(name);
    }
    expect(() => load({ WEBHOOK_RETRY_DELAYS_SECONDS: '700000' })).toThrow('each wait at most 7 days');
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@atrium/platform';
import { loadIntegrationsConfig } from './integrations.config.js';

const app = loadConfig({
  NODE_ENV: 'test',
  DATA_DIR: '/tmp/atrium-integrations-config-spec',
  JWT_SECRET: 'x'.repeat(32),
  ENCRYPTION_KEY: '7f'.repeat(32),
});
const load = (env: Record<string, string>) => loadIntegrationsConfig(app, env);

describe('integrations configuration', () => {
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

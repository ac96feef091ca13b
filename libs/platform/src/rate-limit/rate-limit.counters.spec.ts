import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { RateLimitCounters } from './rate-limit.counters.js';

const config = (env: Record<string, string>) =>
  loadConfig({ DATA_DIR: '/tmp/atrium-unused', JWT_SECRET: 'x'.repeat(40), ENCRYPTION_KEY: '7f'.repeat(32), ...env });

describe('RateLimitCounters', () => {
  it('keeps counting, without waiting, while Redis is unreachable', async () => {
    // Nothing listens on port 1: every connection attempt is refused.
    const counters = new RateLimitCounters(config({ REDIS_URL: 'redis://127.0.0.1:1/0', RATE_LIMIT_DEFAULT_PER_MINUTE: '2' }));
    try {
      await counters.onModuleInit();
      const started = Date.now();
      const counts = [];
      for (let i = 0; i < 3; i++) counts.push(await counters.hit('default', 'client'));
      expect(counts.map((c) => [c.remaining, c.over])).toEqual([
        [1, false],
        [0, false],
        [0, true],
      ]);
      expect(Date.now() - started).toBeLessThan(500);
    } finally {
      await counters.onApplicationShutdown();
    }
  });

  it('gives back and clears counts', async () => {
    const counters = new RateLimitCounters(config({ RATE_LIMIT_AUTH_FAILURES: '2' }));
    await counters.hit('sign-in-failures', 'k');
    await counters.hit('sign-in-failures', 'k');
    await counters.refund('sign-in-failures', 'k');
    expect(await counters.hit('sign-in-failures', 'k')).toMatchObject({ limit: 2, remaining: 0, over: false });
    await counters.clear('sign-in-failures', 'k');
    expect(await counters.hit('sign-in-failures', 'k')).toMatchObject({ remaining: 1, over: false });
  });

  it('counts a feature’s own budget per key, apart from the platform’s, and refuses to shadow one of them', async () => {
    const counters = new RateLimitCounters(config({ RATE_LIMIT_DEFAULT_PER_MINUTE: '1' }));
    const budget = counters.budget('per-partner', 2, 60);
    const hits = [await budget.hit('a'), await budget.hit('a'), await budget.hit('a'), await budget.hit('b')];
    expect(hits.map((c) => [c.limit, c.remaining, c.over])).toEqual([
      [2, 1, false],
      [2, 0, false],
      [2, 0, true],
      [2, 1, false],
    ]);
    expect(await counters.hit('default', 'a')).toMatchObject({ limit: 1, over: false });
    expect(() => counters.budget('default', 5, 60)).toThrow(/platform/);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRateLimitStore } from './rate-limit.store.js';

afterEach(() => vi.useRealTimers());

describe('MemoryRateLimitStore', () => {
  it('counts each key in its own fixed window and starts afresh when the window ends', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const store = new MemoryRateLimitStore();
    expect(store.hit(['a', 'b'], 60_000)).toEqual([
      { count: 1, resetMs: 60_000 },
      { count: 1, resetMs: 60_000 },
    ]);
    vi.advanceTimersByTime(20_000);
    expect(store.hit(['a'], 60_000)).toEqual([{ count: 2, resetMs: 40_000 }]);
    vi.advanceTimersByTime(40_000);
    expect(store.hit(['a', 'b'], 60_000)).toEqual([
      { count: 1, resetMs: 60_000 },
      { count: 1, resetMs: 60_000 },
    ]);
  });
});

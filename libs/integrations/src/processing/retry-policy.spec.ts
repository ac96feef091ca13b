import { describe, expect, it } from 'vitest';
import { nextRetryDelayMs } from './retry-policy.js';

const DEFAULT = [60, 300, 1800, 7200, 21600].map((s) => s * 1000);

describe('nextRetryDelayMs', () => {
  it('waits 1 min, 5 min, 30 min, 2 h, 6 h after attempts 1 to 5, then gives up (6 attempts)', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => nextRetryDelayMs(DEFAULT, 0, n))).toEqual([
      60_000,
      300_000,
      1_800_000,
      7_200_000,
      21_600_000,
      null,
    ]);
  });

  it('spreads each wait by the jitter, both ways', () => {
    expect(nextRetryDelayMs(DEFAULT, 0.2, 1, () => 0)).toBe(48_000);
    expect(nextRetryDelayMs(DEFAULT, 0.2, 1, () => 0.5)).toBe(60_000);
    expect(nextRetryDelayMs(DEFAULT, 0.2, 1, () => 0.9999999)).toBe(72_000);
  });

  it('has no retry without waits', () => {
    expect(nextRetryDelayMs([], 0.2, 1)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { TouchThrottle } from './touch-throttle.js';

describe('TouchThrottle', () => {
  it('lets one write through per id and window', () => {
    const t = new TouchThrottle(60_000);
    expect(t.claim('a', 0)).toBe(true);
    expect(t.claim('a', 1_000)).toBe(false);
    expect(t.claim('b', 1_000)).toBe(true);
    expect(t.claim('a', 59_999)).toBe(false);
    expect(t.claim('a', 60_000)).toBe(true);
  });

  it('stays bounded: old entries are swept, and when all are fresh the map starts over', () => {
    const t = new TouchThrottle(1_000, 3);
    for (const id of ['a', 'b', 'c']) expect(t.claim(id, 0)).toBe(true);
    expect(t.claim('d', 2_000)).toBe(true);
    expect(t.claim('a', 2_000)).toBe(true);
    for (const id of ['e', 'f']) t.claim(id, 2_500);
    expect(t.claim('g', 2_600)).toBe(true);
    expect(t.claim('g', 2_700)).toBe(false);
  });
});

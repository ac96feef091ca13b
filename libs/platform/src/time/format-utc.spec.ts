import { describe, expect, it } from 'vitest';
import { formatUtcDay, formatUtcMinute } from './format-utc.js';

describe('UTC formats for people', () => {
  it.each([
    ['2026-11-29T08:16:59.999Z', '29 Nov 2026, 08:16 UTC', '29 Nov 2026'],
    ['2027-01-01T23:05:00+02:00', '1 Jan 2027, 21:05 UTC', '1 Jan 2027'],
  ])('%s', (iso, atMinute, atDay) => {
    expect(formatUtcMinute(new Date(iso))).toBe(atMinute);
    expect(formatUtcDay(new Date(iso))).toBe(atDay);
  });
});

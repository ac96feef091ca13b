import { describe, expect, it } from 'vitest';
import type { QuietHours } from './channel-choice.js';
import { quietHoursEnd } from './quiet-hours.js';

const q = (start: string, end: string, timezone: string): QuietHours => ({ start, end, timezone });

// 2026: Europe/Berlin springs forward on 29 March (02:00 CET → 03:00 CEST) and falls back on 25 October
// (03:00 CEST → 02:00 CET); America/New_York on 8 March (02:00 EST → 03:00 EDT) and 1 November (02:00 EDT → 01:00 EST).
const cases: Array<{ name: string; quiet: QuietHours | null | undefined; now: string; end: string | undefined }> = [
  { name: 'no quiet hours', quiet: null, now: '2026-05-01T23:00:00Z', end: undefined },
  { name: 'quiet hours left out', quiet: undefined, now: '2026-05-01T23:00:00Z', end: undefined },
  {
    name: 'before midnight in a window spanning it: ends tomorrow',
    quiet: q('22:00', '07:00', 'UTC'),
    now: '2026-05-01T23:30:00Z',
    end: '2026-05-02T07:00:00.000Z',
  },
  {
    name: 'after midnight in a window spanning it: ends today',
    quiet: q('22:00', '07:00', 'UTC'),
    now: '2026-05-02T03:00:00Z',
    end: '2026-05-02T07:00:00.000Z',
  },
  { name: 'outside a window spanning midnight', quiet: q('22:00', '07:00', 'UTC'), now: '2026-05-02T12:00:00Z', end: undefined },
  { name: 'at the start: inside', quiet: q('22:00', '07:00', 'UTC'), now: '2026-05-01T22:00:00Z', end: '2026-05-02T07:00:00.000Z' },
  { name: 'at the end: outside', quiet: q('22:00', '07:00', 'UTC'), now: '2026-05-02T07:00:00Z', end: undefined },
  { name: 'seconds before the end', quiet: q('22:00', '07:00', 'UTC'), now: '2026-05-02T06:59:30Z', end: '2026-05-02T07:00:00.000Z' },
  {
    name: 'a daytime window, local time',
    quiet: q('09:00', '17:00', 'Europe/Berlin'),
    now: '2026-01-15T10:00:00Z',
    end: '2026-01-15T16:00:00.000Z',
  },
  { name: 'a daytime window, before it', quiet: q('09:00', '17:00', 'Europe/Berlin'), now: '2026-01-15T07:59:00Z', end: undefined },
  {
    name: 'a daytime window, in summer time',
    quiet: q('09:00', '17:00', 'Europe/Berlin'),
    now: '2026-07-15T07:00:00Z',
    end: '2026-07-15T15:00:00.000Z',
  },
  // Berlin, spring forward: the night is an hour shorter.
  {
    name: 'Berlin: a night across the spring change ends at 07:00 summer time',
    quiet: q('22:00', '07:00', 'Europe/Berlin'),
    now: '2026-03-28T22:30:00Z',
    end: '2026-03-29T05:00:00.000Z',
  },
  {
    name: 'Berlin: an end in the skipped hour ends when the clocks jump',
    quiet: q('01:00', '02:30', 'Europe/Berlin'),
    now: '2026-03-29T00:15:00Z',
    end: '2026-03-29T01:00:00.000Z',
  },
  {
    name: 'Berlin: after the jump, a start in the skipped hour is behind us',
    quiet: q('02:30', '06:00', 'Europe/Berlin'),
    now: '2026-03-29T01:10:00Z',
    end: '2026-03-29T04:00:00.000Z',
  },
  // Berlin, fall back: the night is an hour longer, and 02:00–02:59 happens twice.
  {
    name: 'Berlin: a night across the autumn change ends at 07:00 winter time',
    quiet: q('22:00', '07:00', 'Europe/Berlin'),
    now: '2026-10-24T21:00:00Z',
    end: '2026-10-25T06:00:00.000Z',
  },
  {
    name: 'Berlin: an end in the repeated hour, first pass',
    quiet: q('01:00', '02:30', 'Europe/Berlin'),
    now: '2026-10-24T23:15:00Z',
    end: '2026-10-25T00:30:00.000Z',
  },
  {
    name: 'Berlin: the repeated hour shows 02:10 again: quiet until 02:30 winter time',
    quiet: q('01:00', '02:30', 'Europe/Berlin'),
    now: '2026-10-25T01:10:00Z',
    end: '2026-10-25T01:30:00.000Z',
  },
  {
    name: 'Berlin: the repeated hour past the end',
    quiet: q('01:00', '02:30', 'Europe/Berlin'),
    now: '2026-10-25T01:40:00Z',
    end: undefined,
  },
  // New York.
  {
    name: 'New York: a night across the spring change',
    quiet: q('23:00', '06:00', 'America/New_York'),
    now: '2026-03-08T04:30:00Z',
    end: '2026-03-08T10:00:00.000Z',
  },
  {
    name: 'New York: an end in the skipped hour ends when the clocks jump',
    quiet: q('01:00', '02:30', 'America/New_York'),
    now: '2026-03-08T06:30:00Z',
    end: '2026-03-08T07:00:00.000Z',
  },
  {
    name: 'New York: a night across the autumn change',
    quiet: q('22:00', '07:00', 'America/New_York'),
    now: '2026-11-01T03:00:00Z',
    end: '2026-11-01T12:00:00.000Z',
  },
  {
    name: 'New York: the repeated hour, second pass',
    quiet: q('00:30', '01:30', 'America/New_York'),
    now: '2026-11-01T06:10:00Z',
    end: '2026-11-01T06:30:00.000Z',
  },
  { name: 'New York: evening, standard time', quiet: q('22:00', '07:00', 'America/New_York'), now: '2026-01-10T12:00:00Z', end: undefined },
  // A zone off the hour, east of UTC: the local date is ahead of UTC's.
  {
    name: 'Kolkata: the local night starts the previous UTC day',
    quiet: q('22:00', '06:00', 'Asia/Kolkata'),
    now: '2026-05-01T17:00:00Z',
    end: '2026-05-02T00:30:00.000Z',
  },
  {
    name: 'Kolkata: a local midnight that is 18:30 UTC',
    quiet: q('22:00', '06:00', 'Asia/Kolkata'),
    now: '2026-05-01T19:00:00Z',
    end: '2026-05-02T00:30:00.000Z',
  },
];

describe('quietHoursEnd', () => {
  it.each(cases)('$name', ({ quiet, now, end }) => {
    expect(quietHoursEnd(quiet, new Date(now))?.toISOString()).toBe(end);
  });
});

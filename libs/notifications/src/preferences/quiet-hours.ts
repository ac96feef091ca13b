import type { QuietHours } from './channel-choice.js';

/** `HH:MM` on a 24-hour clock, 00:00 to 23:59. */
export const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at instant `t` (whole seconds). */
interface WallClock {
  year: number;
  month: number;
  day: number;
  /** Minutes since local midnight. */
  minutes: number;
  second: number;
}

function wallClock(t: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(t)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year, month: parts.month, day: parts.day, minutes: parts.hour * 60 + parts.minute, second: parts.second };
}

/** The zone's offset from UTC at instant `t`, in ms (wall clock read as UTC, minus the instant). */
function offsetAt(t: number, timeZone: string): number {
  const w = wallClock(t, timeZone);
  const whole = Math.floor(t / 1000) * 1000;
  return Date.UTC(w.year, w.month - 1, w.day, 0, w.minutes, w.second) - whole;
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The first instant after `after` at which the wall clock in `timeZone` reads `minutes` on the given local date. When
 * that time does not exist that day (the hour skipped when clocks go forward), the instant the clocks jump past it.
 */
function localInstant(year: number, month: number, day: number, minutes: number, timeZone: string, after: number): number {
  const asUtc = Date.UTC(year, month - 1, day, 0, minutes);
  // A day holds at most one transition: the offsets a day before and after bracket every candidate.
  const offsets = [...new Set([offsetAt(asUtc - DAY, timeZone), offsetAt(asUtc + DAY, timeZone)])];
  // A candidate is real when the zone's offset at it is the one it was computed with (a repeated hour has two).
  const real = offsets.map((offset) => asUtc - offset).filter((t) => offsetAt(t, timeZone) === asUtc - t);
  const next = real.filter((t) => t > after).sort((a, b) => a - b);
  if (next.length) return next[0];
  // Skipped: the jump lies between the two candidates; find the first minute on the far side of it.
  const [early, late] = offsets.map((offset) => asUtc - offset).sort((a, b) => a - b);
  const before = offsetAt(early, timeZone);
  let lo = early / MINUTE;
  let hi = late / MINUTE;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid * MINUTE, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi * MINUTE;
}

/**
 * When quiet hours in force at `now` end: the instant the recipient's wall clock next reads `end`, if `now` falls
 * inside `[start, end)` (a window whose end is before its start spans midnight); undefined outside them or without
 * any. Daylight-saving days follow the zone's own clock: an end in the skipped hour ends the window when the clocks
 * jump, and a repeated hour is quiet each time the clock shows it.
 */
export function quietHoursEnd(q: QuietHours | null | undefined, now: Date): Date | undefined {
  if (!q) return undefined;
  const start = minutesOf(q.start);
  const end = minutesOf(q.end);
  const t = now.getTime();
  const local = wallClock(t, q.timezone);
  const m = local.minutes;
  const inside = start < end ? m >= start && m < end : m >= start || m < end;
  if (!inside) return undefined;
  // Spanning midnight and already past the start: the window ends tomorrow (local calendar).
  const nextDay = start > end && m >= start ? 1 : 0;
  const date = new Date(Date.UTC(local.year, local.month - 1, local.day + nextDay));
  return new Date(localInstant(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), end, q.timezone, t));
}

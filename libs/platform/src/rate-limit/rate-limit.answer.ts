import type { Response } from 'express';
import { PlatformError } from '../platform.errors.js';
import type { Count } from './rate-limit.counters.js';

const resetSeconds = (c: Count) => Math.ceil(c.resetMs / 1000);

function headersOf(c: Count): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(c.limit),
    'X-RateLimit-Remaining': String(c.remaining),
    'X-RateLimit-Reset': String(resetSeconds(c)),
  };
}

/** Fewer requests left, or as many for longer. */
const tighter = (a: Count, b: Count) => (b.remaining < a.remaining || (b.remaining === a.remaining && b.resetMs > a.resetMs) ? b : a);

/** The guard shows the IP's counter before the interceptor counts the account: keep whichever is tighter. */
function tighterThanShown(res: Response, c: Count): boolean {
  const remaining = res.getHeader('X-RateLimit-Remaining');
  if (remaining === undefined) return true;
  const shown = Number(remaining);
  return c.remaining < shown || (c.remaining === shown && resetSeconds(c) > Number(res.getHeader('X-RateLimit-Reset')));
}

/**
 * Shows the tightest of `counts` in X-RateLimit-*; when one went past its budget, throws the 429 (`rate_limited`)
 * whose Retry-After is the longest wait among them, in one pass (the guard calls this on every request).
 */
export function applyCounts(res: Response, counts: Count[]): void {
  let worst: Count | undefined;
  let tightest = counts[0];
  for (const c of counts) {
    if (c.over && (!worst || c.resetMs > worst.resetMs)) worst = c;
    tightest = tighter(tightest, c);
  }
  if (worst) {
    const retryAfter = String(Math.max(1, resetSeconds(worst)));
    throw PlatformError.rate_limited(`Too many requests; try again in ${retryAfter} seconds`, undefined, {
      ...headersOf(worst),
      'Retry-After': retryAfter,
    });
  }
  if (!tightest || !tighterThanShown(res, tightest)) return;
  for (const [k, v] of Object.entries(headersOf(tightest))) res.setHeader(k, v);
}

/**
 * The wait before the next attempt of an event whose attempt number `failed` just failed, drawn uniformly from
 * [w × (1 − jitter), w × (1 + jitter)] where w is the configured wait for that retry; null when it was the last attempt
 * (the event is `dead`). `random` is injectable for tests.
 */
export function nextRetryDelayMs(
  delaysMs: readonly number[],
  jitter: number,
  failed: number,
  random: () => number = Math.random,
): number | null {
  if (failed < 1 || failed > delaysMs.length) return null;
  const wait = delaysMs[failed - 1];
  return Math.max(0, Math.round(wait * (1 - jitter + 2 * jitter * random())));
}

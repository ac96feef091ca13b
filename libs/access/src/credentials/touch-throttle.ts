/**
 * Remembers which ids this process asked to mark as used in the last `windowMs`, so a burst of requests
 * with one credential sends one "last used" write instead of one per request. Only bookkeeping: nothing
 * about whether a credential is valid is kept here.
 */
export class TouchThrottle {
  private readonly claimed = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries = 50_000,
  ) {}

  /** True when the caller should write now (and records that it did). */
  claim(id: string, now = Date.now()): boolean {
    const at = this.claimed.get(id);
    if (at !== undefined && now - at < this.windowMs) return false;
    if (this.claimed.size >= this.maxEntries) this.sweep(now);
    this.claimed.set(id, now);
    return true;
  }

  private sweep(now: number): void {
    for (const [id, at] of this.claimed) if (now - at >= this.windowMs) this.claimed.delete(id);
    if (this.claimed.size >= this.maxEntries) this.claimed.clear();
  }
}

/**
 * At most `size` holders at a time; the rest wait in arrival order, and a slot that ends goes to the oldest waiting.
 * Password hashing runs in it so argon2 never holds every core (with libuv's four threads on a two-core machine, a
 * burst of logins would otherwise starve the event loop); audit exports hold one per database connection they keep.
 */
export class WorkSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`WorkSlots needs a positive size, got ${size}`);
  }

  /** Runs `task` in a slot, waiting as long as it takes for one. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }

  /**
   * Takes a slot and answers the function that gives it back (once, whatever happens). With `waitMs`, a caller still
   * waiting after that long gets `undefined` instead and holds nothing.
   */
  acquire(): Promise<() => void>;
  acquire(waitMs: number): Promise<(() => void) | undefined>;
  async acquire(waitMs = Infinity): Promise<(() => void) | undefined> {
    if (this.running < this.size) this.running++;
    else if (!(await this.wait(waitMs))) return undefined;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Waits for a slot handed over by a release; false when `waitMs` ran out first. */
  private wait(waitMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const handOver = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer =
        waitMs === Infinity
          ? undefined
          : setTimeout(() => {
              this.waiting.splice(this.waiting.indexOf(handOver), 1);
              resolve(false);
            }, waitMs);
      this.waiting.push(handOver);
    });
  }
}

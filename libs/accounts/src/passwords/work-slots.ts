/**
 * At most `size` tasks at a time; the rest wait in arrival order. Password hashing uses it so argon2 never
 * holds every core: with libuv's four threads on a two-core machine, a burst of logins would otherwise
 * starve the event loop and every other request would wait behind the hashes.
 */
export class WorkSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`WorkSlots needs a positive size, got ${size}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  get queued(): number {
    return this.waiting.length;
  }
}

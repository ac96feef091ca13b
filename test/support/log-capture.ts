import type { DestinationStream } from 'pino';

/** A pino destination that keeps every line the app writes, for specs that check what reaches the logs. */
export class LogCapture implements DestinationStream {
  readonly lines: string[] = [];
  private waiters: Array<() => void> = [];

  write(line: string): void {
    this.lines.push(line);
    this.waiters.splice(0).forEach((w) => w());
  }

  /** Every line as parsed JSON. */
  entries(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** The first entry matching `test`, waiting for it to be written. */
  async waitFor(test: (entry: Record<string, unknown>) => boolean, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.entries().find(test);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching log line within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

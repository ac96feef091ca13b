import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { safeError } from '@atrium/platform';

/**
 * Work that must not make a response slower or faster (which would tell whether an account exists):
 * started after the answer is decided, errors logged, awaited on shutdown so nothing is cut off.
 */
@Injectable()
export class BackgroundTasks implements OnApplicationShutdown {
  private readonly logger = new Logger('BackgroundTasks');
  private readonly running = new Set<Promise<void>>();

  run(name: string, task: () => Promise<unknown>): void {
    const p: Promise<void> = task()
      .then(() => undefined)
      .catch((err: unknown) => this.logger.error({ err: safeError(err), task: name }, 'Background task failed'))
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}

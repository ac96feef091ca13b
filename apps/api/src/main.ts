import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig, resolveDatabase } from '@atrium/platform';
import { createApp } from './create-app.js';

async function main(): Promise<void> {
  const logger = new Logger('Bootstrap');
  const base = loadConfig();
  const { config, stop } = await resolveDatabase(base, logger);
  const app = await createApp(config);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: shutting down`);
    await app.close();
    await stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen(config.http.port, config.http.host);
  logger.log(`Atrium listening on ${config.http.publicUrl} (docs: ${config.http.publicUrl}/api/docs)`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error('Atrium failed to start:', err);
  }
  process.exit(1);
});

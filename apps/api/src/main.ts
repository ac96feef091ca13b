import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, createPino, loadConfig, onShutdownSignal, PinoLoggerService, resolveDatabase } from '@atrium/platform';
import { createApp } from './create-app.js';

async function main(): Promise<void> {
  const logger = new Logger('Bootstrap');
  const base = loadConfig();
  Logger.overrideLogger(new PinoLoggerService(createPino(base.logLevel)));
  const { config, stop } = await resolveDatabase(base, logger);
  const app = await createApp(config);
  onShutdownSignal(async () => {
    await app.close();
    await stop();
  }, logger);
  await app.listen(config.http.port, config.http.host);
  logger.log(`Atrium listening on ${config.http.publicUrl} (docs: ${config.http.publicUrl}/api/docs)`);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : ['Atrium failed to start:', err]);
  process.exit(1);
});

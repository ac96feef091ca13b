import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, createPino, loadConfig, onShutdownSignal, PinoLoggerService, resolveDatabase } from '@atrium/platform';
import { WorkerModule } from './worker.module.js';

/** Runs the queue workers alone, so production scales them apart from the api. */
async function main(): Promise<void> {
  const logger = new Logger('Worker');
  const base = loadConfig();
  Logger.overrideLogger(new PinoLoggerService(createPino(base.logLevel)));
  const { config, stop } = await resolveDatabase(base, logger);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: new PinoLoggerService(createPino(config.logLevel)),
  });
  onShutdownSignal(async () => {
    await app.close();
    await stop();
  }, logger);
  logger.log('Workers running');
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});

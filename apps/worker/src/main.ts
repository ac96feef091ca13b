import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, createPino, loadConfig, PinoLoggerService, resolveDatabase } from '@atrium/platform';
import { WorkerModule } from './worker.module.js';

/** Runs the queue workers alone, so production scales them apart from the api. */
async function main(): Promise<void> {
  const logger = new Logger('Worker');
  const { config, stop } = await resolveDatabase(loadConfig(), logger);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: new PinoLoggerService(createPino(config.logLevel)),
  });
  const shutdown = async (signal: string) => {
    logger.log(`${signal}: draining workers`);
    await app.close();
    await stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  logger.log('Workers running');
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});

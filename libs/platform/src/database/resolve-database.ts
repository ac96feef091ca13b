import type { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

/** The config pointing at a database, starting the embedded one when none is configured; `stop` ends it. */
export async function resolveDatabase(config: AppConfig, logger?: Logger): Promise<{ config: AppConfig; stop: () => Promise<void> }> {
  if (config.database.url) return { config, stop: async () => undefined };
  const server = await startEmbeddedPostgres(config.dataDir, config.database.embeddedPort, logger);
  return { config: config.withDatabaseUrl(server.url), stop: () => server.stop() };
}

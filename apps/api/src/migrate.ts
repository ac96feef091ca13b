import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createDataSource, createPino, loadConfig, PinoLoggerService, resolveDatabase } from '@atrium/platform';
import { MIGRATIONS } from '@atrium/migrations';
import { ENTITIES } from '@atrium/composition';

/** `npm run migration:run`: applies pending migrations and exits. */
async function main(): Promise<void> {
  const logger = new Logger('Migrate');
  const base = loadConfig();
  Logger.overrideLogger(new PinoLoggerService(createPino(base.logLevel)));
  const { config, stop } = await resolveDatabase(base, logger);
  const ds = createDataSource({ url: config.database.url!, entities: ENTITIES, migrations: MIGRATIONS, poolSize: 2 });
  try {
    await ds.initialize();
    const ran = await ds.runMigrations({ transaction: 'each' });
    logger.log(ran.length ? `Applied: ${ran.map((m) => m.name).join(', ')}` : 'No pending migrations');
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

import { type DynamicModule, Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { createDataSource, type EntityList, type MigrationList } from './data-source.factory.js';

const DATA_SOURCE_OPTIONS = Symbol('DATA_SOURCE_OPTIONS');

@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** Provides the initialised DataSource; runs pending migrations first when configured to. */
  static forRoot(opts: { entities: EntityList; migrations: MigrationList }): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATA_SOURCE_OPTIONS, useValue: opts },
        {
          provide: DataSource,
          inject: [AppConfig, DATA_SOURCE_OPTIONS],
          useFactory: async (config: AppConfig, o: typeof opts) => {
            if (!config.database.url) throw new Error('DatabaseModule needs a resolved database URL');
            const ds = createDataSource({
              url: config.database.url,
              entities: o.entities,
              migrations: o.migrations,
              poolSize: config.database.poolSize,
            });
            await ds.initialize();
            if (config.database.migrationsRun) {
              const ran = await ds.runMigrations({ transaction: 'each' });
              if (ran.length) new Logger('Database').log(`Ran ${ran.length} migration(s)`);
            }
            return ds;
          },
        },
      ],
      exports: [DataSource],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) {
      await this.dataSource.destroy();
      this.logger.log('Database pool closed');
    }
  }
}

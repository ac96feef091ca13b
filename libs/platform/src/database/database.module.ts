import { type DynamicModule, Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { createDataSource, type EntityList, type MigrationList } from './data-source.factory.js';
import { StatementPool } from './prepared-query.js';

const DATA_SOURCE_OPTIONS = Symbol('DATA_SOURCE_OPTIONS');

function databaseUrl(config: AppConfig): string {
  if (!config.database.url) throw new Error('DatabaseModule needs a resolved database URL');
  return config.database.url;
}

@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(StatementPool) private readonly statements: StatementPool,
  ) {}

  /**
   * Provides the initialised DataSource (runs pending migrations first when configured to), and the StatementPool
   * for prepared hot statements: up to half of DATABASE_POOL_SIZE more connections, opened on first use.
   */
  static forRoot(opts: { entities: EntityList; migrations: MigrationList }): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATA_SOURCE_OPTIONS, useValue: opts },
        {
          provide: DataSource,
          inject: [AppConfig, DATA_SOURCE_OPTIONS],
          useFactory: async (config: AppConfig, o: typeof opts) => {
            if (config.database.migrationsRun) {
              // As the owner of DATABASE_URL: the app's own connections may not change the schema.
              const owner = createDataSource({ url: databaseUrl(config), entities: [], migrations: o.migrations, poolSize: 1 });
              await owner.initialize();
              try {
                const ran = await owner.runMigrations({ transaction: 'each' });
                if (ran.length) new Logger('Database').log(`Ran ${ran.length} migration(s)`);
              } finally {
                await owner.destroy();
              }
            }
            const ds = createDataSource({
              url: databaseUrl(config),
              entities: o.entities,
              // Migrations run above, as the owner: the app's role could not run them.
              migrations: [],
              poolSize: config.database.poolSize,
              tenantScoped: true,
            });
            await ds.initialize();
            return ds;
          },
        },
        {
          provide: StatementPool,
          inject: [AppConfig, DataSource],
          // After the DataSource, so migrations have run before any statement is prepared.
          useFactory: (config: AppConfig) =>
            new StatementPool({
              url: databaseUrl(config),
              max: Math.max(2, Math.ceil(config.database.poolSize / 2)),
              applicationName: 'atrium-statements',
            }),
        },
      ],
      exports: [DataSource, StatementPool],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.statements.end();
    if (this.dataSource.isInitialized) {
      await this.dataSource.destroy();
      this.logger.log('Database pool closed');
    }
  }
}

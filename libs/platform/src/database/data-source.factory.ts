import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';
import { tenantScopedPoolOptions } from './tenant-scope.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityList = MixedList<Function | string | EntitySchema>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type MigrationList = MixedList<Function | string>;

export interface DataSourceOptions {
  url: string;
  entities: EntityList;
  migrations: MigrationList;
  poolSize: number;
  applicationName?: string;
  /**
   * The application's own connections: they act as the app role, under row-level security, with each statement's
   * tenant scope (tenant-scope.ts). Migrations, tests' inspection and tools connect as the owner instead.
   */
  tenantScoped?: boolean;
}

/** The one way a DataSource is built: snake_case names, migrations only, never synchronize. */
export function createDataSource(opts: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    entities: opts.entities,
    migrations: opts.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    // TypeORM's own error log prints SQL parameters (emails, hashes): failures are logged by the error filter instead.
    logging: false,
    extra: {
      max: opts.poolSize,
      application_name: opts.applicationName ?? 'atrium',
      ...(opts.tenantScoped ? tenantScopedPoolOptions : {}),
    },
  });
}

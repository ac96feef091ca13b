import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { createPostgresBackend, createRedisBackend, setDefaultBackendFactory, type ConnectionOptions } from 'bullmq';
import type { AppConfig } from '../config/app-config.js';

/** The connection BullMQ uses: Redis when REDIS_URL is set, else the app's own PostgreSQL. */
export function queueConnection(config: AppConfig): ConnectionOptions {
  if (config.redisUrl) {
    setDefaultBackendFactory(createRedisBackend);
    const url = new URL(config.redisUrl);
    return {
      host: url.hostname,
      port: Number(url.port || 6379),
      username: url.username || undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined,
      tls: url.protocol === 'rediss:' ? {} : undefined,
      maxRetriesPerRequest: null,
    };
  }
  setDefaultBackendFactory(createPostgresBackend);
  // Every queue and every worker has a pool of its own, of this size.
  return {
    connectionString: config.database.url,
    schema: `bullmq_${config.queue.prefix}`,
    migrate: true,
    max: config.queue.databasePoolSize,
  };
}

export function queueBackendName(config: AppConfig): 'redis' | 'postgres' {
  return config.redisUrl ? 'redis' : 'postgres';
}

/** BullMQ for the whole app, on the backend the configuration selects. */
@Module({})
export class QueueModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      imports: [
        BullModule.forRoot({
          connection: queueConnection(config),
          prefix: config.queue.prefix,
          defaultJobOptions: {
            attempts: 5,
            backoff: { type: 'exponential', delay: 1000 },
            removeOnComplete: { age: 24 * 3600, count: 1000 },
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        }),
      ],
      exports: [BullModule],
    };
  }
}

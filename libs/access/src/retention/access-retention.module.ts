import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@atrium/platform';
import { AccessRetention } from './access-retention.js';
import { AccessRetentionConfig, loadAccessRetentionConfig } from './access-retention.config.js';
import { ACCESS_QUEUE, AccessJobsScheduler, AccessProcessor } from './access-retention.jobs.js';

/**
 * Retention of ended sessions, spent one-time tokens and long-unseen sign-in devices: a daily job whose schedule and
 * worker run only where `workers` is true.
 */
@Module({})
export class AccessRetentionModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: AccessRetentionModule,
      // The queue only where its schedule and worker run: an api-only instance neither enqueues nor processes these jobs.
      imports: opts.workers ? [BullModule.registerQueue({ name: ACCESS_QUEUE })] : [],
      providers: [
        { provide: AccessRetentionConfig, useFactory: (app: AppConfig) => loadAccessRetentionConfig(app), inject: [AppConfig] },
        AccessRetention,
        ...(opts.workers ? [AccessJobsScheduler, AccessProcessor] : []),
      ],
      exports: [AccessRetention],
    };
  }
}

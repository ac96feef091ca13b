import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@atrium/platform';
import { AuditModule } from '../audit.module.js';
import { AuditIntegrityConfig, loadAuditIntegrityConfig } from './audit-integrity.config.js';
import { AUDIT_QUEUE, AuditJobsScheduler, AuditProcessor } from './audit-integrity.jobs.js';
import { AuditRetention } from './audit-retention.js';
import { AuditSealer } from './audit-sealer.js';

/**
 * The audit trail's jobs: the sealer that extends each organization's seal chain every few seconds and the daily
 * retention that removes sealed segments past the package's days. Their schedules and worker run only where `workers`
 * is true.
 */
@Module({})
export class AuditIntegrityModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: AuditIntegrityModule,
      // The queue only where its schedules and worker run: an api-only instance neither enqueues nor processes audit jobs.
      imports: [AuditModule, ...(opts.workers ? [BullModule.registerQueue({ name: AUDIT_QUEUE })] : [])],
      providers: [
        { provide: AuditIntegrityConfig, useFactory: (app: AppConfig) => loadAuditIntegrityConfig(app), inject: [AppConfig] },
        AuditSealer,
        AuditRetention,
        ...(opts.workers ? [AuditJobsScheduler, AuditProcessor] : []),
      ],
      exports: [AuditSealer, AuditRetention],
    };
  }
}

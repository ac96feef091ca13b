import { Module } from '@nestjs/common';
import { AppConfig } from '@atrium/platform';
import { loadAuditConfig, AuditConfig } from './audit.config.js';
import { AuditWriter } from './audit-writer.js';
import { AuditExportController } from './export/audit-export.controller.js';
import { AuditExportService } from './export/audit-export.service.js';
import { AuditLogsController } from './query/audit-logs.controller.js';
import { AuditReader } from './query/audit-reader.js';
import { AuditStats } from './query/audit-stats.js';

/**
 * The audit trail: its writer (every library that records its mutating actions imports this module) and the API that
 * reads it. Controllers with fixed paths under `/audit-logs` come before AuditLogsController, whose `:id` would take them.
 */
@Module({
  controllers: [AuditExportController, AuditLogsController],
  providers: [
    { provide: AuditConfig, useFactory: (app: AppConfig) => loadAuditConfig(app), inject: [AppConfig] },
    AuditWriter,
    AuditReader,
    AuditStats,
    AuditExportService,
  ],
  exports: [AuditWriter],
})
export class AuditModule {}

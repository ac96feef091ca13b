import { Module } from '@nestjs/common';
import { AppConfig } from '@atrium/platform';
import { loadAuditConfig, AuditConfig } from './audit.config.js';
import { AuditWriter } from './audit-writer.js';
import { AuditExportController } from './export/audit-export.controller.js';
import { AuditExportService } from './export/audit-export.service.js';
import { AuditVerifier } from './integrity/audit-verifier.js';
import { AuditVerifyController } from './integrity/audit-verify.controller.js';
import { SealMac } from './integrity/seal-mac.js';
import { AuditLogsController } from './query/audit-logs.controller.js';
import { AuditReader } from './query/audit-reader.js';
import { AuditStats } from './query/audit-stats.js';

/**
 * The audit trail: its writer (every library that records its mutating actions imports this module) and the API that
 * reads and verifies it. Controllers with fixed paths under `/audit-logs` come before AuditLogsController, whose `:id`
 * would take them.
 */
@Module({
  controllers: [AuditVerifyController, AuditExportController, AuditLogsController],
  providers: [
    { provide: AuditConfig, useFactory: (app: AppConfig) => loadAuditConfig(app), inject: [AppConfig] },
    AuditWriter,
    AuditReader,
    AuditStats,
    AuditExportService,
    SealMac,
    AuditVerifier,
  ],
  exports: [AuditWriter, SealMac],
})
export class AuditModule {}

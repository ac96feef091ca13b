import { Module } from '@nestjs/common';
import { AppConfig } from '@atrium/platform';
import { loadAuditConfig, AuditConfig } from './audit.config.js';
import { AuditWriter } from './audit-writer.js';

/** The audit trail's writer; every library that records its mutating actions imports this module. */
@Module({
  providers: [{ provide: AuditConfig, useFactory: (app: AppConfig) => loadAuditConfig(app), inject: [AppConfig] }, AuditWriter],
  exports: [AuditWriter],
})
export class AuditModule {}

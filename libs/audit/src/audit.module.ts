import { Module } from '@nestjs/common';
import { AuditWriter } from './audit-writer.js';

/** The audit trail's writer; every library that records its mutating actions imports this module. */
@Module({ providers: [AuditWriter], exports: [AuditWriter] })
export class AuditModule {}

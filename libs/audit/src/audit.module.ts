import { Global, Module } from '@nestjs/common';
import { AuditWriter } from './audit-writer.js';

/** The audit trail's writer; every library records its mutating actions through it. */
@Global()
@Module({ providers: [AuditWriter], exports: [AuditWriter] })
export class AuditModule {}

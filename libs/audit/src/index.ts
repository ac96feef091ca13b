export * from './audit-log.entity.js';
export * from './audit-writer.js';
export * from './audit.module.js';
export * from './audit.config.js';
export * from './sanitize.js';
export * from './integrity/audit-integrity.module.js';
export * from './integrity/audit-sealer.js';
export * from './integrity/audit-retention.js';
export * from './integrity/audit-verifier.js';

import { AuditLog } from './audit-log.entity.js';
export const AUDIT_ENTITIES = [AuditLog];

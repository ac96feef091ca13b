export * from './audit-log.entity.js';
export * from './audit-writer.js';
export * from './audit.module.js';
export * from './audit.config.js';
export * from './sanitize.js';

import { AuditLog } from './audit-log.entity.js';
export const AUDIT_ENTITIES = [AuditLog];

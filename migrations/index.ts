import { Foundation1764000000000 } from './1764000000000-foundation.js';
import { AuditLog1764000050000 } from './1764000050000-audit-log.js';

/** Every migration, in order. Add new ones at the end. */
export const MIGRATIONS = [Foundation1764000000000, AuditLog1764000050000];

import { Foundation1764000000000 } from './1764000000000-foundation.js';
import { AuditLog1764000050000 } from './1764000050000-audit-log.js';
import { AccountSecurity1764000100000 } from './1764000100000-account-security.js';

/** Every migration, in order. Add new ones at the end. */
export const MIGRATIONS = [Foundation1764000000000, AuditLog1764000050000, AccountSecurity1764000100000];

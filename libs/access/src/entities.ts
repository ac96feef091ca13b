import { ApiKey } from './api-keys/api-key.entity.js';
import { MfaBackupCode } from './mfa/mfa-backup-code.entity.js';
import { UserMfa } from './mfa/user-mfa.entity.js';
import { RefreshToken } from './sessions/refresh-token.entity.js';
import { Session } from './sessions/session.entity.js';

export const ACCESS_ENTITIES = [Session, RefreshToken, UserMfa, MfaBackupCode, ApiKey];

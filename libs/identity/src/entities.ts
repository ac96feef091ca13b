import { ApiKey } from './api-keys/api-key.entity.js';
import { MfaBackupCode } from './mfa/mfa-backup-code.entity.js';
import { UserMfa } from './mfa/user-mfa.entity.js';
import { RefreshToken } from './sessions/refresh-token.entity.js';
import { Session } from './sessions/session.entity.js';
import { User } from './users/user.entity.js';
import { OneTimeToken } from './verification/one-time-token.entity.js';

export const IDENTITY_ENTITIES = [User, Session, RefreshToken, OneTimeToken, UserMfa, MfaBackupCode, ApiKey];

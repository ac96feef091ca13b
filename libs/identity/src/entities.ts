import { RefreshToken } from './sessions/refresh-token.entity.js';
import { Session } from './sessions/session.entity.js';
import { User } from './users/user.entity.js';

export const IDENTITY_ENTITIES = [User, Session, RefreshToken];

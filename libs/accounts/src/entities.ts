import { User } from './users/user.entity.js';
import { OneTimeToken } from './verification/one-time-token.entity.js';

export const ACCOUNT_ENTITIES = [User, OneTimeToken];

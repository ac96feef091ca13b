import { Module } from '@nestjs/common';
import { AccessNotifications } from './access.notifications.js';
import { KnownSignIns } from './sessions/known-sign-ins.js';
import { SessionIssuer } from './sessions/session-issuer.js';
import { SessionReactions } from './sessions/session-reactions.js';
import { SessionService } from './sessions/session.service.js';
import { AccessTokenService } from './tokens/access-token.service.js';

/**
 * Sessions and access tokens: what sign-in, sign-out, password changes and member revocation open and end; and the
 * access library's notification types (new sign-ins, MFA turned off, API keys created).
 */
@Module({
  providers: [AccessTokenService, SessionService, SessionIssuer, SessionReactions, KnownSignIns, AccessNotifications],
  exports: [AccessTokenService, SessionService, SessionIssuer],
})
export class AccessModule {}

import { Global, Module } from '@nestjs/common';
import { Authenticator } from '@atrium/platform';
import { OrganizationsModule } from '@atrium/organizations';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuthController } from './auth/auth.controller.js';
import { LoginService } from './auth/login.service.js';
import { LogoutService } from './auth/logout.service.js';
import { RegistrationService } from './auth/registration.service.js';
import { SessionIssuer } from './auth/session-issuer.js';
import { CredentialReads } from './authentication/credential-reads.js';
import { IdentityAuthenticator } from './authentication/identity-authenticator.js';
import { SessionLookup } from './authentication/session-lookup.js';
import { MfaModule } from './mfa/mfa.module.js';
import { PasswordService } from './passwords/password.service.js';
import { SessionService } from './sessions/session.service.js';
import { AccessTokenService } from './tokens/access-token.service.js';
import { MeController } from './users/me.controller.js';
import { MeService } from './users/me.service.js';

/** Accounts, sign-in, sessions and the Authenticator the platform's guard and gateway use. */
@Global()
@Module({
  imports: [OrganizationsModule, MfaModule, ApiKeysModule],
  controllers: [AuthController, MeController],
  providers: [
    AccessTokenService,
    PasswordService,
    SessionService,
    SessionIssuer,
    SessionLookup,
    RegistrationService,
    LoginService,
    LogoutService,
    MeService,
    CredentialReads,
    { provide: Authenticator, useClass: IdentityAuthenticator },
  ],
  exports: [Authenticator, CredentialReads, AccessTokenService, PasswordService, SessionService, SessionIssuer, LoginService],
})
export class IdentityModule {}

import { Global, Module } from '@nestjs/common';
import { Authenticator } from '@atrium/platform';
import { AccessModule } from '../access.module.js';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { CredentialAuthenticator } from './credential-authenticator.js';
import { SessionLookup } from './session-lookup.js';

/**
 * Fills the platform's `Authenticator` port (bearer tokens and `x-api-key`). Global because the kernel's
 * guard and socket gateway inject the port without naming this library; it exports nothing else.
 */
@Global()
@Module({
  imports: [AccessModule, ApiKeysModule],
  providers: [SessionLookup, { provide: Authenticator, useClass: CredentialAuthenticator }],
  exports: [Authenticator],
})
export class CredentialsModule {}

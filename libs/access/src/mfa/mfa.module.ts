import { Module } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { MfaController } from './mfa.controller.js';
import { MfaRules } from './mfa-rules.js';
import { MfaKeys } from './mfa-keys.js';
import { MfaService } from './mfa.service.js';
import { MfaVerifier } from './mfa-verifier.js';

/** TOTP two-factor authentication with backup codes; exports the verifier sign-in uses. */
@Module({
  imports: [AuditModule],
  controllers: [MfaController],
  providers: [MfaKeys, MfaVerifier, MfaService, MfaRules],
  exports: [MfaVerifier],
})
export class MfaModule {}

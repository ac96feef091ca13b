import { Module } from '@nestjs/common';
import { AccessModule } from '@atrium/access';
import { AuditModule } from '@atrium/audit';
import { AccountsModule } from '../accounts.module.js';
import { OrganizationsModule } from '@atrium/organizations';
import { EmailVerificationListener } from './email-verification.listener.js';
import { EmailVerificationService } from './email-verification.service.js';
import { OneTimeTokenService } from './one-time-token.service.js';
import { PasswordResetService } from './password-reset.service.js';
import { VerificationController } from './verification.controller.js';

/** Email verification and password reset, on single-use mailed tokens (shared with magic links). */
@Module({
  imports: [OrganizationsModule, AccessModule, AuditModule, AccountsModule],
  controllers: [VerificationController],
  providers: [OneTimeTokenService, EmailVerificationService, EmailVerificationListener, PasswordResetService],
  exports: [OneTimeTokenService, EmailVerificationService],
})
export class VerificationModule {}

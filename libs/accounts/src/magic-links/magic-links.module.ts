import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts.module.js';
import { OrganizationsModule } from '@atrium/organizations';
import { MfaModule } from '@atrium/access';
import { VerificationModule } from '../verification/verification.module.js';
import { MagicLinkController } from './magic-link.controller.js';
import { MagicLinkService } from './magic-link.service.js';

/** Passwordless sign-in by mailed link (LoginService comes from the global IdentityModule). */
@Module({
  imports: [OrganizationsModule, VerificationModule, MfaModule, AccountsModule],
  controllers: [MagicLinkController],
  providers: [MagicLinkService],
})
export class MagicLinksModule {}

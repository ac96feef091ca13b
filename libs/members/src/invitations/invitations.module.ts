import { Module } from '@nestjs/common';
import { AccessModule } from '@atrium/access';
import { AccountsModule } from '@atrium/accounts';
import { AuditModule } from '@atrium/audit';
import { OrganizationsModule, RolesModule } from '@atrium/organizations';
import { InvitationAcceptanceService } from './invitation-acceptance.service.js';
import { InvitationContributions } from './invitation-contributions.js';
import { InvitationService } from './invitation.service.js';
import { InvitationsController } from './invitations.controller.js';

/** Invitations by mail: send, list, resend, cancel, and the public link to see and accept one. */
@Module({
  imports: [OrganizationsModule, RolesModule, AccessModule, AccountsModule, AuditModule],
  controllers: [InvitationsController],
  providers: [InvitationService, InvitationAcceptanceService, InvitationContributions],
})
export class InvitationsModule {}

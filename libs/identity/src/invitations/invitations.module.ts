import { Module } from '@nestjs/common';
import { OrganizationsModule } from '@atrium/organizations';
import { RolesModule } from '../roles/roles.module.js';
import { InvitationAcceptanceService } from './invitation-acceptance.service.js';
import { InvitationContributions } from './invitation-contributions.js';
import { InvitationService } from './invitation.service.js';
import { InvitationsController } from './invitations.controller.js';

/** Invitations by mail: send, list, resend, cancel, and the public link to see and accept one. */
@Module({
  imports: [OrganizationsModule, RolesModule],
  controllers: [InvitationsController],
  providers: [InvitationService, InvitationAcceptanceService, InvitationContributions],
})
export class InvitationsModule {}

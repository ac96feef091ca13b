import { Module } from '@nestjs/common';
import { AccessModule } from '@atrium/access';
import { AuditModule } from '@atrium/audit';
import { AccountsModule } from '../accounts.module.js';
import { OrganizationsModule } from '@atrium/organizations';
import { OrganizationSwitchController } from './organization-switch.controller.js';
import { OrganizationSwitchService } from './organization-switch.service.js';

/** `PUT /organizations/switch` (SessionIssuer and SessionService come from the global IdentityModule). */
@Module({
  imports: [OrganizationsModule, AccessModule, AccountsModule, AuditModule],
  controllers: [OrganizationSwitchController],
  providers: [OrganizationSwitchService],
})
export class OrganizationSwitchModule {}

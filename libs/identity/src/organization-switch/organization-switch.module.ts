import { Module } from '@nestjs/common';
import { OrganizationsModule } from '@atrium/organizations';
import { OrganizationSwitchController } from './organization-switch.controller.js';
import { OrganizationSwitchService } from './organization-switch.service.js';

/** `PUT /organizations/switch` (SessionIssuer and SessionService come from the global IdentityModule). */
@Module({
  imports: [OrganizationsModule],
  controllers: [OrganizationSwitchController],
  providers: [OrganizationSwitchService],
})
export class OrganizationSwitchModule {}

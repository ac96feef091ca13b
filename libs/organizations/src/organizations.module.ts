import { Module } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { UserMemberships } from './memberships/user-memberships.js';
import { MyOrganizationsService } from './organizations/my-organizations.service.js';
import { OrganizationProfileService } from './organizations/organization-profile.service.js';
import { OrganizationsController } from './organizations/organizations.controller.js';
import { OrganizationProvisioner } from './provisioning/organization-provisioner.js';
import { OrganizationStatsRegistry } from './stats/organization-stats.registry.js';
import { OrganizationStatsService } from './stats/organization-stats.service.js';

/** Organizations, memberships and roles; provisioning with steps other libraries add; statistics others contribute to. */
@Module({
  imports: [AuditModule],
  controllers: [OrganizationsController],
  providers: [
    OrganizationProvisioner,
    UserMemberships,
    OrganizationProfileService,
    MyOrganizationsService,
    OrganizationStatsRegistry,
    OrganizationStatsService,
  ],
  exports: [OrganizationProvisioner, UserMemberships, OrganizationStatsRegistry, OrganizationProfileService],
})
export class OrganizationsModule {}

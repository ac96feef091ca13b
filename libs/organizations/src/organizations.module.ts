import { Module } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { MembershipDirectory } from './memberships/membership-directory.js';
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
    MembershipDirectory,
    OrganizationProfileService,
    MyOrganizationsService,
    OrganizationStatsRegistry,
    OrganizationStatsService,
  ],
  exports: [OrganizationProvisioner, MembershipDirectory, OrganizationStatsRegistry, OrganizationProfileService],
})
export class OrganizationsModule {}

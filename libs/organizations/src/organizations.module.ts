import { Module } from '@nestjs/common';
import { MembershipDirectory } from './memberships/membership-directory.js';
import { OrganizationProvisioner } from './provisioning/organization-provisioner.js';

@Module({ providers: [OrganizationProvisioner, MembershipDirectory], exports: [OrganizationProvisioner, MembershipDirectory] })
export class OrganizationsModule {}

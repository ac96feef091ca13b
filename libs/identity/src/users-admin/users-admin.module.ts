import { Module } from '@nestjs/common';
import { OrganizationsModule } from '@atrium/organizations';
import { RolesModule } from '../roles/roles.module.js';
import { MemberDirectory } from './member-directory.js';
import { MemberPages } from './member-pages.js';
import { MemberPolicy } from './member-policy.js';
import { MemberRevocationService } from './member-revocation.service.js';
import { MemberStatistics } from './member-statistics.js';
import { UserAdminService } from './user-admin.service.js';
import { UsersAdminController } from './users-admin.controller.js';

/** Administering the organization's members: list, create, change, revoke. */
@Module({
  imports: [OrganizationsModule, RolesModule],
  controllers: [UsersAdminController],
  providers: [MemberDirectory, MemberPages, MemberPolicy, UserAdminService, MemberRevocationService, MemberStatistics],
  exports: [MemberDirectory],
})
export class UsersAdminModule {}

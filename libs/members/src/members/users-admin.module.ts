import { Module } from '@nestjs/common';
import { AccessModule } from '@atrium/access';
import { AccountsModule } from '@atrium/accounts';
import { AuditModule } from '@atrium/audit';
import { OrganizationsModule, RolesModule } from '@atrium/organizations';
import { MembersNotifications } from '../members.notifications.js';
import { MemberDirectory } from './member-directory.js';
import { MemberReactions } from './member-reactions.js';
import { MemberPages } from './member-pages.js';
import { MemberPolicy } from './member-policy.js';
import { MemberRevocationService } from './member-revocation.service.js';
import { MemberStatistics } from './member-statistics.js';
import { UserAdminService } from './user-admin.service.js';
import { UsersAdminController } from './users-admin.controller.js';

/** Administering the organization's members: list, create, change, revoke; and the members library's notification types. */
@Module({
  imports: [OrganizationsModule, RolesModule, AccessModule, AccountsModule, AuditModule],
  controllers: [UsersAdminController],
  providers: [
    MemberReactions,
    MemberDirectory,
    MemberPages,
    MemberPolicy,
    UserAdminService,
    MemberRevocationService,
    MemberStatistics,
    MembersNotifications,
  ],
  exports: [MemberDirectory],
})
export class UsersAdminModule {}

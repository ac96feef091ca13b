import { Module } from '@nestjs/common';
import { OrganizationsModule } from '@atrium/organizations';
import { RoleResolver } from './role-resolver.js';
import { RoleService } from './role.service.js';
import { RolesController } from './roles.controller.js';

/** Roles CRUD and the permission catalogue; exports the resolver users and invitations use to name roles. */
@Module({
  imports: [OrganizationsModule],
  controllers: [RolesController],
  providers: [RoleService, RoleResolver],
  exports: [RoleResolver],
})
export class RolesModule {}

import { Module } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { OrganizationsModule } from '../organizations.module.js';
import { RoleGrantsRegistry } from './role-grants.registry.js';
import { RoleResolver } from './role-resolver.js';
import { RoleService } from './role.service.js';
import { RolesController } from './roles.controller.js';

/** Roles CRUD and the permission catalogue; exports the resolver members and invitations use to name roles, and the registry of other role grants. */
@Module({
  imports: [OrganizationsModule, AuditModule],
  controllers: [RolesController],
  providers: [RoleService, RoleResolver, RoleGrantsRegistry],
  exports: [RoleResolver, RoleGrantsRegistry],
})
export class RolesModule {}

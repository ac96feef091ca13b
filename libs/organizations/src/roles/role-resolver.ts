import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { isUuid, notFound, type RequestContext, TenantRepository } from '@atrium/platform';
import { OrganizationProfileService } from '../organizations/organization-profile.service.js';
import { resolveSettings } from '../organizations/settings.js';
import { isPermission, OWNER_ROLE } from './permissions.js';
import { Role } from './role.entity.js';
import { OrganizationsError } from '../organizations.errors.js';

/** Names other API documents use for our built-in roles (admin, manager and user in the API-keys contract). */
const ROLE_ALIASES: Readonly<Record<string, string>> = { user: 'member' };

/** 400 listing every permission string the catalogue does not know. */
export function assertKnownPermissions(permissions: string[]): void {
  const unknown = [...new Set(permissions.filter((p) => !isPermission(p)))];
  if (unknown.length) {
    throw OrganizationsError.unknown_permissions(`Unknown permission(s): ${unknown.join(', ')}; see GET /roles/permissions`, [
      { field: 'permissions', problems: unknown.map((p) => `unknown permission "${p}"`) },
    ]);
  }
}

/** 403 unless the caller holds every permission: nobody grants, or manages someone holding, more than they have. */
export function assertHeld(ctx: RequestContext, permissions: readonly string[], what: string): void {
  const notHeld = [...new Set(permissions.filter((p) => !ctx.can(p)))].sort();
  if (notHeld.length) throw OrganizationsError.permission_not_held(`${what} permissions you do not hold: ${notHeld.join(', ')}`);
}

export const isOwnerRole = (role: Role) => role.builtIn && role.slug === OWNER_ROLE;

/** Finds roles of the current organization by id, slug or alias, and the organization's default role. */
@Injectable()
export class RoleResolver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly organizations: OrganizationProfileService,
  ) {}

  /** A role of this organization named by id, slug or alias; anything else (another organization's too) is a 404. */
  async resolve(ctx: RequestContext, ref: string, em: EntityManager = this.dataSource.manager): Promise<Role> {
    const roles = TenantRepository.for(em, Role, 'Role');
    const slug = ref.trim().toLowerCase();
    if (isUuid(slug)) return roles.getById(ctx, slug);
    const role =
      (await roles.findOne(ctx, { slug })) ?? (ROLE_ALIASES[slug] ? await roles.findOne(ctx, { slug: ROLE_ALIASES[slug] }) : null);
    if (!role) throw notFound('Role');
    return role;
  }

  /** The role named in the organization's `default_role` setting, for members added without one. */
  async defaultRole(ctx: RequestContext, em: EntityManager = this.dataSource.manager): Promise<Role> {
    const organization = await this.organizations.get(ctx, em);
    return this.resolve(ctx, resolveSettings(organization.settings).default_role, em);
  }
}

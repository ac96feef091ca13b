import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { isUniqueViolation, Outbox, type Page, type RequestContext, TenantRepository } from '@atrium/platform';
import { Membership } from '../memberships/membership.entity.js';
import { OrganizationProfileService } from '../organizations/organization-profile.service.js';
import { resolveSettings } from '../organizations/settings.js';
import { DEFAULT_MEMBER_ROLE } from './permissions.js';
import { RoleGrantsRegistry } from './role-grants.registry.js';
import { Role } from './role.entity.js';
import type { CreateRoleDto, RoleUsageDto, UpdateRoleDto } from './dto/role.dto.js';
import { assertHeld, assertKnownPermissions } from './role-resolver.js';
import { OrganizationsError } from '../organizations.errors.js';

const snapshot = (r: Role) => ({ name: r.name, slug: r.slug, description: r.description, permissions: [...r.permissions].sort() });
const slugTaken = (slug: string) => OrganizationsError.role_slug_taken(`A role with the slug "${slug}" already exists`);
const builtIn = () => OrganizationsError.built_in_role();

/** Derives a role slug from its name: "Support Agent" → "support-agent". */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return slug.length >= 2 ? slug : `role-${slug || 'x'}`;
}

/** Roles of the current organization. Permission changes apply to every holder on their next request. */
@Injectable()
export class RoleService {
  private readonly roles: TenantRepository<Role>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditWriter,
    private readonly outbox: Outbox,
    private readonly organizations: OrganizationProfileService,
    private readonly grants: RoleGrantsRegistry,
  ) {
    this.roles = TenantRepository.for(dataSource, Role, 'Role');
  }

  list(ctx: RequestContext, query: { page: number; limit: number }): Promise<Page<Role>> {
    return this.roles.findPage(ctx, query, {}, { builtIn: 'DESC', createdAt: 'ASC', name: 'ASC' });
  }

  get(ctx: RequestContext, id: string): Promise<Role> {
    return this.roles.getById(ctx, id);
  }

  async create(ctx: RequestContext, dto: CreateRoleDto): Promise<Role> {
    const permissions = [...new Set(dto.permissions)].sort();
    assertKnownPermissions(permissions);
    assertHeld(ctx, permissions, 'A role cannot have');
    const slug = dto.slug ?? slugify(dto.name);
    if (await this.roles.exists(ctx, { slug })) throw slugTaken(slug);
    const role = await this.dataSource
      .transaction(async (em) => {
        const saved = await this.roles
          .with(em)
          .create(ctx, { name: dto.name, slug, description: dto.description ?? null, permissions, builtIn: false });
        await this.audit.record(em, ctx, {
          action: 'role.created',
          resourceType: 'role',
          resourceId: saved.id,
          target: saved.name,
          after: snapshot(saved),
        });
        await this.announce(em, ctx, 'role.created', saved.id, saved.slug);
        return saved;
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err, 'uq_roles_org_slug')) throw slugTaken(slug);
        throw err;
      });
    return role;
  }

  /** Custom roles only; the caller must hold both the role's current and its new permissions. */
  async update(ctx: RequestContext, id: string, dto: UpdateRoleDto): Promise<Role> {
    const role = await this.dataSource.transaction(async (em) => {
      const repo = this.roles.with(em);
      const role = await repo.getById(ctx, id);
      if (role.builtIn) throw builtIn();
      assertHeld(ctx, role.permissions, 'This role has');
      const before = snapshot(role);
      if (dto.permissions) {
        const permissions = [...new Set(dto.permissions)].sort();
        assertKnownPermissions(permissions);
        assertHeld(ctx, permissions, 'A role cannot have');
        role.permissions = permissions;
      }
      if (dto.name !== undefined) role.name = dto.name;
      if (dto.description !== undefined) role.description = dto.description;
      const saved = await repo.save(ctx, role);
      await this.audit.record(em, ctx, {
        action: 'role.updated',
        resourceType: 'role',
        resourceId: id,
        target: saved.name,
        before,
        after: snapshot(saved),
      });
      await this.announce(em, ctx, 'role.updated', saved.id, saved.slug);
      return saved;
    });
    return role;
  }

  /**
   * Custom roles nobody holds: 409 while an active member or an open invitation has it, or while it is the
   * default role. Revoked memberships that still name it move to the built-in member role.
   */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const repo = this.roles.with(em);
      const role = await repo.getById(ctx, id);
      if (role.builtIn) throw builtIn();
      assertHeld(ctx, role.permissions, 'This role has');
      const memberships = TenantRepository.for(em, Membership, 'Membership');
      const [members, pending] = await Promise.all([
        memberships.count(ctx, { roleId: role.id, status: 'active' }),
        this.pendingGrants(ctx, em),
      ]);
      const held = Object.entries(pending)
        .map(([key, byRole]) => [key, byRole.get(role.id) ?? 0] as const)
        .filter(([, n]) => n > 0);
      if (members || held.length) {
        const others = held.map(([key, n]) => `, ${n} ${key.replace(/_/g, ' ')}`).join('');
        throw OrganizationsError.role_in_use(`The role is held by ${members} member(s)${others}; reassign them first`);
      }
      if (resolveSettings((await this.organizations.get(ctx, em)).settings).default_role === role.slug) {
        throw OrganizationsError.role_is_default();
      }
      const fallback = await repo.findOne(ctx, { slug: DEFAULT_MEMBER_ROLE, builtIn: true });
      for (const m of await memberships.find(ctx, { where: { roleId: role.id } })) {
        m.roleId = fallback!.id;
        await memberships.save(ctx, m);
      }
      await repo.remove(ctx, role);
      await this.audit.record(em, ctx, {
        action: 'role.deleted',
        resourceType: 'role',
        resourceId: id,
        target: role.name,
        before: snapshot(role),
      });
      await this.announce(em, ctx, 'role.deleted', id, role.slug);
    });
  }

  /** Per role: active members holding it, and what else would grant it (each registered source, e.g. open invitations). */
  async usageCounts(ctx: RequestContext): Promise<RoleUsageDto[]> {
    const pending = await this.pendingGrants(ctx, this.dataSource.manager);
    const rows = await this.roles
      .query(ctx, 'r')
      .select(['r.id AS role_id', 'r.name AS name', 'r.slug AS slug'])
      .addSelect(
        `(SELECT count(*) FROM memberships m WHERE m.role_id = r.id AND m.organization_id = r.organization_id AND m.status = 'active')::int`,
        'members',
      )
      .orderBy('r.built_in', 'DESC')
      .addOrderBy('r.created_at', 'ASC')
      .addOrderBy('r.name', 'ASC')
      .getRawMany<Omit<RoleUsageDto, 'pending_invitations'>>();
    return rows.map((row) => ({
      ...row,
      ...Object.fromEntries(Object.entries(pending).map(([key, byRole]) => [key, byRole.get(row.role_id) ?? 0])),
    })) as RoleUsageDto[];
  }

  private async pendingGrants(ctx: RequestContext, em: EntityManager): Promise<Record<string, Map<string, number>>> {
    const sources = this.grants.all();
    const counts = await Promise.all(sources.map((s) => s.countByRole(ctx, em)));
    return Object.fromEntries(sources.map((s, i) => [s.key, counts[i]]));
  }

  /** Written last in the role change's transaction (the outbox's per-organization order lock is held to commit). */
  private async announce(em: EntityManager, ctx: RequestContext, name: string, roleId: string, slug: string): Promise<void> {
    const organizationId = ctx.requireOrganizationId();
    this.outbox.add(em, {
      name,
      organizationId,
      actorId: ctx.userId,
      requestId: ctx.requestId,
      payload: { role_id: roleId, slug },
      rooms: [`org:${organizationId}`],
    });
  }
}

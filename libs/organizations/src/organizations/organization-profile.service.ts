import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { isUniqueViolation, Outbox, notFound, PlatformError, type RequestContext, TenantRepository } from '@atrium/platform';
import { OWNER_ROLE } from '../roles/permissions.js';
import { Role } from '../roles/role.entity.js';
import type { OrganizationSettingsDto } from './dto/organization-settings.dto.js';
import type { UpdateOrganizationDto } from './dto/update-organization.dto.js';
import { Organization } from './organization.entity.js';
import { DEFAULT_SETTINGS, resolveSettings } from './settings.js';
import { OrganizationsError } from '../organizations.errors.js';

/** Slugs that would read as parts of the product rather than an organization. */
const RESERVED_SLUGS = new Set([
  'admin',
  'api',
  'app',
  'auth',
  'billing',
  'docs',
  'help',
  'me',
  'new',
  'settings',
  'status',
  'support',
  'switch',
  // `POST /webhooks/test/stripe` (billing) shares its path with `POST /webhooks/:organization/:provider`.
  'test',
  'www',
]);

const profile = (o: Organization) => ({ name: o.name, email: o.email, phone: o.phone, slug: o.slug });

/** The current organization's profile, settings and slug. */
@Injectable()
export class OrganizationProfileService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditWriter,
    private readonly outbox: Outbox,
  ) {}

  async get(ctx: RequestContext, em: EntityManager = this.dataSource.manager): Promise<Organization> {
    const organization = await em.getRepository(Organization).findOne({ where: { id: ctx.requireOrganizationId() } });
    if (!organization) throw notFound('Organization');
    return organization;
  }

  /** Changes name, email and phone (`null` clears email or phone). */
  async update(ctx: RequestContext, dto: UpdateOrganizationDto): Promise<Organization> {
    return this.change(ctx, 'organization.updated', (o) => {
      if (dto.name !== undefined) o.name = dto.name;
      if (dto.email !== undefined) o.email = dto.email;
      if (dto.phone !== undefined) o.phone = dto.phone;
    });
  }

  /** Merges the given settings over the current ones; `default_role` must name an existing role other than owner. */
  async updateSettings(ctx: RequestContext, changes: OrganizationSettingsDto): Promise<Organization> {
    if (changes.default_role !== undefined) await this.assertDefaultRole(ctx, changes.default_role);
    // Whoever requires two-factor authentication of everyone has it on already (as GitHub asks of org owners);
    // with an API key, that is the account the key acts for.
    if (changes.mfa_required === true && !ctx.meta.mfaEnabled) {
      throw OrganizationsError.own_mfa_required();
    }
    return this.change(ctx, 'organization.settings_updated', (o) => {
      const current = resolveSettings(o.settings);
      const given = Object.fromEntries(Object.entries(changes).filter(([k, v]) => v !== undefined && k in DEFAULT_SETTINGS));
      // Keys other libraries keep here (notifications' `notification_defaults`, written and validated by them) stay as they are.
      o.settings = { ...o.settings, ...current, ...given };
    });
  }

  /** Sets the organization's unique slug (the route checks the package includes `custom_slug`). */
  async setSlug(ctx: RequestContext, slug: string): Promise<Organization> {
    if (RESERVED_SLUGS.has(slug)) {
      throw OrganizationsError.slug_reserved(`The slug "${slug}" is reserved`, [{ field: 'slug', problems: ['slug is reserved'] }]);
    }
    const taken = () => OrganizationsError.slug_taken(`The slug "${slug}" is already taken`);
    const holder = await this.dataSource.getRepository(Organization).findOne({ where: { slug } });
    if (holder && holder.id !== ctx.requireOrganizationId()) throw taken();
    return this.change(ctx, 'organization.slug_changed', (o) => {
      o.slug = slug;
    }).catch((err: unknown) => {
      if (isUniqueViolation(err, 'uq_organizations_slug')) throw taken();
      throw err;
    });
  }

  /**
   * Applies a change under a row lock, records it in the audit trail and announces it to the organization through
   * the outbox in the same transaction (`organization.updated` also ends the sockets of members without MFA when
   * the organization starts requiring it, so it must not be lost to a crash after commit).
   */
  private async change(ctx: RequestContext, action: string, apply: (o: Organization) => void): Promise<Organization> {
    return this.dataSource.transaction(async (em) => {
      const organization = await em
        .getRepository(Organization)
        .findOne({ where: { id: ctx.requireOrganizationId() }, lock: { mode: 'pessimistic_write' } });
      if (!organization) throw notFound('Organization');
      const before = { ...profile(organization), settings: resolveSettings(organization.settings) };
      apply(organization);
      const saved = await em.getRepository(Organization).save(organization);
      const after = { ...profile(saved), settings: resolveSettings(saved.settings) };
      await this.audit.record(em, ctx, { action, resourceType: 'organization', resourceId: saved.id, target: saved.name, before, after });
      this.outbox.add(em, {
        name: 'organization.updated',
        organizationId: saved.id,
        actorId: ctx.userId,
        requestId: ctx.requestId,
        payload: {
          organization_id: saved.id,
          action,
          changed: changedKeys(before, saved),
          mfa_required: resolveSettings(saved.settings).mfa_required,
        },
        rooms: [`org:${saved.id}`],
      });
      return saved;
    });
  }

  private async assertDefaultRole(ctx: RequestContext, slug: string): Promise<void> {
    const role = await TenantRepository.for(this.dataSource, Role, 'Role').findOne(ctx, { slug });
    const problem = !role
      ? `default_role "${slug}" is not a role of this organization`
      : role.slug === OWNER_ROLE
        ? 'default_role cannot be owner'
        : '';
    if (problem) throw PlatformError.validation_failed(problem, [{ field: 'settings.default_role', problems: [problem] }]);
  }
}

function changedKeys(before: Record<string, unknown>, after: Organization): string[] {
  const now: Record<string, unknown> = { ...profile(after), settings: resolveSettings(after.settings) };
  return Object.keys(now).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(now[k]));
}

import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { withTenant } from '@atrium/platform';
import type { EntityManager } from 'typeorm';
import { Membership } from '../memberships/membership.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { Role } from '../roles/role.entity.js';
import { BUILT_IN_ROLES, OWNER_ROLE } from '../roles/permissions.js';

export interface NewOrganization {
  name: string;
  email?: string | null;
  phone?: string | null;
}

/**
 * Something another library sets up for every new organization (billing's Free subscription, …), run
 * inside the provisioning transaction. Libraries that depend on organizations add steps; organizations
 * never imports them.
 */
export interface ProvisioningStep {
  name: string;
  run(em: EntityManager, organization: Organization): Promise<void>;
}

/** Creates an organization with its built-in roles and its owner's membership, inside the caller's transaction. */
@Injectable()
export class OrganizationProvisioner {
  private readonly steps: ProvisioningStep[] = [];

  /** Registers a step for every organization provisioned from now on; call from `onModuleInit`. */
  addStep(step: ProvisioningStep): void {
    if (this.steps.some((s) => s.name === step.name)) throw new Error(`Provisioning step "${step.name}" is already registered`);
    this.steps.push(step);
  }

  /**
   * Creates the organization and runs `then` with what was created, both in the new organization's tenant scope
   * (row-level security): everything the caller writes for it (audit, events) goes in `then`.
   */
  provision<T>(
    em: EntityManager,
    input: NewOrganization,
    ownerUserId: string,
    then: (created: { organization: Organization; ownerRole: Role; membership: Membership }) => Promise<T>,
  ): Promise<T> {
    const id = randomUUID();
    return withTenant(id, async () => then(await this.create(em, id, input, ownerUserId)));
  }

  private async create(
    em: EntityManager,
    id: string,
    input: NewOrganization,
    ownerUserId: string,
  ): Promise<{ organization: Organization; ownerRole: Role; membership: Membership }> {
    const organization = await em.getRepository(Organization).save(
      em.getRepository(Organization).create({
        id,
        name: input.name,
        email: input.email ?? null,
        phone: input.phone ?? null,
        settings: {},
      }),
    );
    const roles = await em.getRepository(Role).save(
      BUILT_IN_ROLES.map((r) =>
        em.getRepository(Role).create({
          organizationId: organization.id,
          name: r.name,
          slug: r.slug,
          description: r.description,
          permissions: [...r.permissions],
          builtIn: true,
        }),
      ),
    );
    const ownerRole = roles.find((r) => r.slug === OWNER_ROLE)!;
    const membership = await em.getRepository(Membership).save(
      em.getRepository(Membership).create({
        organizationId: organization.id,
        userId: ownerUserId,
        roleId: ownerRole.id,
        status: 'active',
        lastUsedAt: new Date(),
      }),
    );
    for (const step of this.steps) await step.run(em, organization);
    return { organization, ownerRole, membership };
  }
}

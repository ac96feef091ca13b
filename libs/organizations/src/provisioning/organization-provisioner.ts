import { Injectable } from '@nestjs/common';
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

/** Creates an organization with its built-in roles and its owner's membership, inside the caller's transaction. */
@Injectable()
export class OrganizationProvisioner {
  async provision(
    em: EntityManager,
    input: NewOrganization,
    ownerUserId: string,
  ): Promise<{ organization: Organization; ownerRole: Role; membership: Membership }> {
    const organization = await em.getRepository(Organization).save(
      em.getRepository(Organization).create({
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
    return { organization, ownerRole, membership };
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { Outbox, type Page, pageOffset, type RequestContext, toPage } from '@atrium/platform';
import { UserMemberships, type MembershipView } from '../memberships/user-memberships.js';
import { OrganizationProvisioner } from '../provisioning/organization-provisioner.js';
import type { CreateOrganizationDto } from './dto/update-organization.dto.js';

/** The signed-in user's organizations: list them, and found another one. */
@Injectable()
export class MyOrganizationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly memberships: UserMemberships,
    private readonly provisioner: OrganizationProvisioner,
    private readonly audit: AuditWriter,
    private readonly outbox: Outbox,
  ) {}

  /** Every active membership of the caller, most recently used first. */
  async list(ctx: RequestContext, query: { page: number; limit: number }): Promise<Page<MembershipView>> {
    const all = await this.memberships.activeFor(ctx.requireUserId());
    return toPage(all.slice(pageOffset(query), pageOffset(query) + query.limit), all.length, query);
  }

  /** A new organization (built-in roles, Free package, …) owned by the caller; their current one is unchanged. */
  async create(ctx: RequestContext, dto: CreateOrganizationDto): Promise<MembershipView> {
    const userId = ctx.requireUserId();
    return this.dataSource.transaction((em) =>
      this.provisioner.provision(
        em,
        { name: dto.name, email: dto.email, phone: dto.phone },
        userId,
        async ({ organization, ownerRole, membership }) => {
          await this.audit.record(em, ctx.withOrganization(organization.id, []), {
            action: 'organization.created',
            resourceType: 'organization',
            resourceId: organization.id,
            target: organization.name,
            after: { name: organization.name, email: organization.email, phone: organization.phone },
          });
          this.outbox.add(em, {
            name: 'organization.created',
            organizationId: organization.id,
            actorId: userId,
            requestId: ctx.requestId,
            payload: { organization_id: organization.id, user_id: userId },
            rooms: [`user:${userId}`],
          });
          return { organization, role: ownerRole, membership };
        },
      ),
    );
  }
}

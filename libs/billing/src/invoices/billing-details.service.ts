import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { Organization } from '@atrium/organizations';
import { notFound, RequestContext, TenantRepository } from '@atrium/platform';
import { BillingProfile } from './billing-profile.entity.js';
import type { UpdateBillingDetailsDto } from './dto/billing-details.dto.js';
import type { BillingDetailsSnapshot } from './invoice.entity.js';

/** The billing details in force and when they were last set (null while the organization's defaults apply). */
export interface BillingDetails {
  details: BillingDetailsSnapshot;
  updatedAt: Date | null;
}

const fromProfile = (p: BillingProfile): BillingDetailsSnapshot => ({
  legal_name: p.legalName,
  email: p.email,
  address_line1: p.addressLine1,
  address_line2: p.addressLine2,
  postal_code: p.postalCode,
  city: p.city,
  country: p.country,
  tax_id: p.taxId,
});

const defaults = (o: Organization): BillingDetailsSnapshot => ({
  legal_name: o.name,
  email: o.email,
  address_line1: null,
  address_line2: null,
  postal_code: null,
  city: null,
  country: null,
  tax_id: null,
});

/** Who the organization's invoices are made out to: what it set, else its name and email. */
@Injectable()
export class BillingDetailsService {
  private readonly profiles: TenantRepository<BillingProfile>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditWriter,
  ) {
    this.profiles = TenantRepository.for(dataSource, BillingProfile, 'Billing profile');
  }

  async get(ctx: RequestContext, em: EntityManager = this.dataSource.manager): Promise<BillingDetails> {
    const profile = await this.profiles.with(em).findOne(ctx, {});
    if (profile) return { details: fromProfile(profile), updatedAt: profile.updatedAt };
    return { details: defaults(await this.organization(em, ctx.requireOrganizationId())), updatedAt: null };
  }

  /** The details an invoice freezes, read in the issuing transaction. */
  async snapshot(em: EntityManager, organizationId: string): Promise<BillingDetailsSnapshot> {
    return (await this.get(RequestContext.system('invoice', organizationId), em)).details;
  }

  /** Replaces the details (fields left out are cleared), with an audit entry in the same transaction. */
  async update(ctx: RequestContext, dto: UpdateBillingDetailsDto): Promise<BillingDetails> {
    const organizationId = ctx.requireOrganizationId();
    return this.dataSource.transaction(async (em) => {
      // Concurrent first saves of one organization queue here, so each audit entry's `before` is what it replaced.
      await this.organization(em, organizationId, true);
      const before = await this.get(ctx, em);
      const values = {
        legalName: dto.legal_name,
        email: dto.email,
        addressLine1: dto.address_line1 ?? null,
        addressLine2: dto.address_line2 ?? null,
        postalCode: dto.postal_code ?? null,
        city: dto.city ?? null,
        country: dto.country ?? null,
        taxId: dto.tax_id ?? null,
      };
      const repo = this.profiles.with(em);
      const existing = await repo.findOne(ctx, {});
      const saved = existing ? await repo.save(ctx, Object.assign(existing, values)) : await repo.create(ctx, values);
      const after = fromProfile(saved);
      await this.audit.record(em, ctx, {
        action: 'billing.details_updated',
        resourceType: 'billing_profile',
        resourceId: saved.id,
        target: saved.legalName,
        before: before.details,
        after,
      });
      return { details: after, updatedAt: saved.updatedAt };
    });
  }

  private async organization(em: EntityManager, id: string, lock = false): Promise<Organization> {
    const organization = await em
      .getRepository(Organization)
      .findOne({ where: { id }, ...(lock ? { lock: { mode: 'for_no_key_update' as const } } : {}) });
    if (!organization) throw notFound('Organization');
    return organization;
  }
}

import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OrganizationProvisioner } from '@atrium/organizations';
import { Package } from '../catalogue/package.entity.js';
import { OrganizationSubscription } from './organization-subscription.entity.js';

/** Puts every new organization on the default (Free) package, inside its provisioning transaction. */
@Injectable()
export class DefaultSubscriptionStep implements OnModuleInit {
  constructor(private readonly provisioner: OrganizationProvisioner) {}

  onModuleInit(): void {
    this.provisioner.addStep({ name: 'billing.default-subscription', run: (em, organization) => this.subscribe(em, organization.id) });
  }

  private async subscribe(em: EntityManager, organizationId: string): Promise<void> {
    const free = await em.getRepository(Package).findOneOrFail({ where: { isDefault: true } });
    const repo = em.getRepository(OrganizationSubscription);
    await repo.insert(repo.create({ organizationId, packageId: free.id, status: 'active', period: null, startedAt: new Date() }));
  }
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '@atrium/platform';

/** One figure in `GET /organizations/me/stats`, added by the feature that owns the data. */
export interface OrganizationStatContributor {
  /** The key in the stats object, e.g. `pending_invitations`. */
  key: string;
  collect(ctx: RequestContext, em: EntityManager): Promise<number | Record<string, number>>;
}

/** Where features register their organization statistics (invitations, documents, chats, …). */
@Injectable()
export class OrganizationStatsRegistry {
  private readonly contributors = new Map<string, OrganizationStatContributor>();

  /** Call from `onModuleInit`; a key may be registered once. */
  register(contributor: OrganizationStatContributor): void {
    if (this.contributors.has(contributor.key)) throw new Error(`Organization stat "${contributor.key}" is already registered`);
    this.contributors.set(contributor.key, contributor);
  }

  all(): OrganizationStatContributor[] {
    return [...this.contributors.values()];
  }
}

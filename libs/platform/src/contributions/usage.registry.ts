import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../context/request-context.js';

/** Counts how much of a limited resource (members, storage bytes, API keys, …) an organization uses. */
export interface UsageMeter {
  /** The resource measured; the same key as the package limit it is checked against, e.g. `members`. */
  resource: string;
  /** Usage in the context's organization (read it through the tenant-scoped repository). */
  measure(ctx: RequestContext, em: EntityManager): Promise<number>;
}

/**
 * Meters registered by the features that own the data; several meters of one resource add up
 * (members = active memberships + pending invitations). A resource nobody meters yet counts 0.
 */
@Injectable()
export class UsageRegistry {
  private readonly meters = new Map<string, UsageMeter[]>();

  /** Call from `onModuleInit`. */
  register(meter: UsageMeter): void {
    this.meters.set(meter.resource, [...(this.meters.get(meter.resource) ?? []), meter]);
  }

  /** Current usage of `resource` in the context's organization, read through `em` (the caller's transaction). */
  async measure(resource: string, ctx: RequestContext, em: EntityManager): Promise<number> {
    let total = 0;
    for (const meter of this.meters.get(resource) ?? []) total += await meter.measure(ctx, em);
    return total;
  }
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '@atrium/platform';

/**
 * Something besides a membership that will hand out a role (an open invitation, …), registered by the
 * feature that owns it: a role is in use while any of them still names it.
 */
export interface RoleGrantSource {
  /** The field in `GET /roles/usage`, e.g. `pending_invitations`. */
  key: string;
  /** How many pending grants name each role of the context's organization (roles with none may be absent). */
  countByRole(ctx: RequestContext, em: EntityManager): Promise<Map<string, number>>;
}

/** Where features register what else grants roles, so the roles library needs to know none of them. */
@Injectable()
export class RoleGrantsRegistry {
  private readonly sources = new Map<string, RoleGrantSource>();

  /** Call from `onModuleInit`; a key may be registered once. */
  register(source: RoleGrantSource): void {
    if (this.sources.has(source.key)) throw new Error(`Role grant source "${source.key}" is already registered`);
    this.sources.set(source.key, source);
  }

  all(): RoleGrantSource[] {
    return [...this.sources.values()];
  }
}

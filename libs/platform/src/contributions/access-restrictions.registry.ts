import { Injectable } from '@nestjs/common';
import type { DomainError } from '../http/domain-error.js';

/**
 * A rule the credential check can find unmet for a caller (e.g. "this organization requires two-factor
 * authentication and you have not turned it on"). While unmet, the caller may use only routes marked
 * `@AllowRestricted()` (to meet it, see their account, or leave) and is refused realtime.
 */
export interface AccessRestriction {
  /** The name the authenticator puts in `ctx.meta.restrictions`. */
  name: string;
  /** The error a route answers while the restriction holds (its code also refuses sockets). */
  error(): DomainError;
}

/** Where features register the restrictions their authenticator may report, so the kernel's guard names none. */
@Injectable()
export class AccessRestrictionRegistry {
  private readonly restrictions = new Map<string, AccessRestriction>();

  /** Call from `onModuleInit` (or a constructor); a name may be registered once. */
  register(restriction: AccessRestriction): void {
    if (this.restrictions.has(restriction.name)) throw new Error(`Access restriction "${restriction.name}" is already registered`);
    this.restrictions.set(restriction.name, restriction);
  }

  /** The error for a restriction; an unknown one is a programming error and refuses the request (500). */
  errorFor(name: string): DomainError {
    const restriction = this.restrictions.get(name);
    if (!restriction) throw new Error(`Access restriction "${name}" is not registered`);
    return restriction.error();
  }
}

import { Injectable } from '@nestjs/common';
import type { RequestContext } from '@atrium/platform';
import type { UserProfile } from '../users/user-profile.js';

/**
 * The account row the authenticator read while checking this request's credential, kept for that
 * request only (weakly, by its RequestContext): `GET /users/me` answers from it instead of reading the
 * same row again. Not a cache: nothing outlives the request, so every request still reads the database.
 */
@Injectable()
export class AuthenticatedProfiles {
  private readonly byContext = new WeakMap<RequestContext, UserProfile>();

  remember(ctx: RequestContext, profile: UserProfile): RequestContext {
    this.byContext.set(ctx, profile);
    return ctx;
  }

  of(ctx: RequestContext): UserProfile | undefined {
    return this.byContext.get(ctx);
  }
}

import { Injectable } from '@nestjs/common';
import type { RequestContext } from '@atrium/platform';
import { profileFromJson, type UserProfile } from '../users/user-profile.js';

/** What the credential check read from the database for one request, beyond whether to let it in. */
export interface CredentialRead {
  /** The signed-in account (for an API key: the account it acts for), as `PROFILE_JSON` text. */
  profileJson: string;
  /** The organization's member-directory version (see the directory-version migration). */
  directoryVersion: string;
}

/**
 * Keeps, for the length of one request (weakly, by its RequestContext), the rows the authenticator read
 * with the credential: `GET /users/me` answers from the profile instead of reading it again, and the
 * member list knows whether its cached page is current. Not a cache: nothing outlives the request, and
 * every request reads the database.
 */
@Injectable()
export class CredentialReads {
  private readonly byContext = new WeakMap<RequestContext, CredentialRead>();

  remember(ctx: RequestContext, read: CredentialRead): RequestContext {
    this.byContext.set(ctx, read);
    return ctx;
  }

  of(ctx: RequestContext): CredentialRead | undefined {
    return this.byContext.get(ctx);
  }

  profileOf(ctx: RequestContext): UserProfile | undefined {
    const read = this.byContext.get(ctx);
    return read && profileFromJson(read.profileJson);
  }
}

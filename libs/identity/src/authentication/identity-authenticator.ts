import { Injectable } from '@nestjs/common';
import { Authenticator, type Credentials, DomainError, isUuid, RequestContext, unauthorized } from '@atrium/platform';
import { AccessTokenService } from '../tokens/access-token.service.js';
import { SessionLookup } from './session-lookup.js';

/** Authenticates bearer access tokens against their live session and membership. */
@Injectable()
export class IdentityAuthenticator extends Authenticator {
  constructor(
    private readonly tokens: AccessTokenService,
    private readonly lookup: SessionLookup,
  ) {
    super();
  }

  async authenticate(creds: Credentials): Promise<RequestContext> {
    if (creds.bearer) return this.fromAccessToken(creds.bearer, creds);
    throw unauthorized('missing_credentials', 'Authentication required: send a bearer token or an x-api-key');
  }

  private async fromAccessToken(token: string, creds: Credentials): Promise<RequestContext> {
    const claims = this.tokens.verify(token);
    const organizationId = creds.organizationId ?? claims.org;
    if (!isUuid(organizationId)) throw new DomainError('not_found', 'organization_not_found', 'Organization not found');
    const row = await this.lookup.find(claims.sid, organizationId, claims.sub);
    if (!row || row.revoked || row.expired) throw unauthorized('session_revoked', 'The session has ended; sign in again');
    if (!row.user_active) throw unauthorized('account_suspended', 'The account is suspended');
    if (!row.membership_active) {
      if (organizationId !== claims.org) {
        throw new DomainError('not_found', 'organization_not_found', 'Organization not found');
      }
      throw unauthorized('membership_revoked', 'You are no longer a member of this organization');
    }
    if (row.touch) this.lookup.touch(claims.sid);
    return new RequestContext(creds.requestId, claims.sub, organizationId, new Set(row.permissions ?? []), {
      authMethod: 'jwt',
      sessionId: claims.sid,
      roleSlug: row.role_slug ?? undefined,
      ip: creds.ip,
      userAgent: creds.userAgent,
    });
  }
}

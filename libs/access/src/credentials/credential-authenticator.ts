import { Injectable } from '@nestjs/common';
import {
  acrossTenants,
  Authenticator,
  type Credentials,
  isUuid,
  notFound,
  PlatformError,
  RequestContext,
  withTenant,
} from '@atrium/platform';
import { apiKeyHash } from '../api-keys/api-key-format.js';
import { ApiKeyLookup } from '../api-keys/api-key-lookup.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import { SessionLookup } from './session-lookup.js';
import { TouchThrottle } from './touch-throttle.js';
import { MFA_ENROLLMENT } from '../mfa/mfa-rules.js';
import { AccessError } from '../access.errors.js';

const invalidApiKey = () => AccessError.invalid_api_key();

/** Authenticates bearer access tokens against their live session and membership, and `x-api-key` keys. */
@Injectable()
export class CredentialAuthenticator extends Authenticator {
  /** "Last used" writes are due once a minute; concurrent requests with one credential send one. */
  private readonly touches = new TouchThrottle(60_000);

  constructor(
    private readonly tokens: AccessTokenService,
    private readonly lookup: SessionLookup,
    private readonly apiKeys: ApiKeyLookup,
  ) {
    super();
  }

  async authenticate(creds: Credentials): Promise<RequestContext> {
    if (creds.bearer) return this.fromAccessToken(creds.bearer, creds);
    // Across tenants (row-level security): a key names its organization only once it is read, by its hash.
    if (creds.apiKey) return acrossTenants(() => this.fromApiKey(creds.apiKey!, creds));
    throw PlatformError.missing_credentials();
  }

  private async fromAccessToken(token: string, creds: Credentials): Promise<RequestContext> {
    const claims = this.tokens.verify(token);
    const asked = creds.organizationId ?? claims.org;
    if (!isUuid(asked)) throw notFound('Organization');
    // Row-level security: in the token's own organization everything the check reads is that organization's, so it
    // runs there (and the connection keeps the scope the rest of the request needs). A caller naming another of their
    // organizations reads a session of the token's organization and a membership of the other: across tenants.
    const find = () => this.lookup.find(claims.sid, asked, claims.sub);
    const row = await (asked.toLowerCase() === claims.org ? withTenant(claims.org, find) : acrossTenants(find));
    if (!row || !row.own_session || row.revoked || row.expired) throw AccessError.session_revoked();
    if (!row.user_active) throw AccessError.account_suspended();
    // The id as the database spells it: rooms, events and audit entries compare ids as text, and a client may send
    // any letter case (an upper-cased id would otherwise escape every disconnect aimed at the canonical rooms).
    const organizationId = row.organization_id ?? asked.toLowerCase();
    if (!row.membership_active) {
      if (organizationId !== claims.org) {
        throw notFound('Organization');
      }
      throw AccessError.membership_revoked();
    }
    // The session is the token's organization's.
    if (row.touch && this.touches.claim(claims.sid)) withTenant(claims.org, () => this.lookup.touch(claims.sid));
    return new RequestContext(creds.requestId, claims.sub, organizationId, row.permissions ?? [], {
      authMethod: 'jwt',
      sessionId: claims.sid,
      roleSlug: row.role_slug ?? undefined,
      mfaEnabled: row.mfa_enabled,
      restrictions: row.org_requires_mfa === true && !row.mfa_enabled ? [MFA_ENROLLMENT] : undefined,
      ip: creds.ip,
      userAgent: creds.userAgent,
      read: { profileJson: row.profile, directoryVersion: row.directory_version },
    });
  }

  /**
   * The key's organization, with the key's permissions intersected with the current role of the account
   * it acts for: a demoted account's key loses what they lost, a removed or suspended one's stops working.
   */
  private async fromApiKey(key: string, creds: Credentials): Promise<RequestContext> {
    const keyHash = apiKeyHash(key);
    if (!keyHash) throw invalidApiKey();
    const row = await this.apiKeys.find(keyHash);
    if (!row) throw invalidApiKey();
    if (row.revoked) throw AccessError.api_key_revoked();
    if (row.expired) throw AccessError.api_key_expired();
    if (creds.organizationId && creds.organizationId.toLowerCase() !== row.organization_id) {
      throw AccessError.api_key_wrong_organization();
    }
    if (!row.creator_active || !row.membership_active) {
      throw AccessError.api_key_creator_inactive();
    }
    const granted = new Set(row.role_permissions ?? []);
    if (row.touch && this.touches.claim(row.id)) this.apiKeys.touch(row.id);
    return new RequestContext(
      creds.requestId,
      undefined,
      row.organization_id,
      row.key_permissions.filter((p) => granted.has(p)),
      {
        authMethod: 'api_key',
        apiKeyId: row.id,
        apiKeyName: row.name,
        actingUserId: row.created_by,
        mfaEnabled: row.mfa_enabled,
        ip: creds.ip,
        userAgent: creds.userAgent,
        read: { profileJson: row.profile, directoryVersion: row.directory_version },
      },
    );
  }
}

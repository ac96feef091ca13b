import { PlatformError } from '../platform.errors.js';

/**
 * What the credential check read along with the credential, for this one request (never cached): the
 * acting account's profile and the organization's member-directory version, so routes that show them need
 * no second query.
 */
export interface CredentialRead {
  /** The acting account's profile as JSON text, parsed only by the routes that show it. */
  profileJson: string;
  /**
   * Bumped by database triggers in the changing transaction whenever anything the member list shows changes, and
   * whenever other organization-level facts that features keep per instance against it change (their migrations add
   * the triggers).
   */
  directoryVersion: string;
}

/** How the caller proved who it is. */
export type AuthMethod = 'jwt' | 'api_key' | 'anonymous' | 'system';

/** Who is acting, for which organization, with which permissions. Passed explicitly to every service call. */
export class RequestContext {
  private granted: ReadonlySet<string> | undefined;
  private email: string | undefined;

  /**
   * `permissions` may be given as the list the database returned: most requests never ask, so the
   * set is built on first use.
   */
  constructor(
    readonly requestId: string,
    readonly userId: string | undefined,
    readonly organizationId: string | undefined,
    private readonly grants: ReadonlySet<string> | readonly string[],
    readonly meta: {
      authMethod: AuthMethod;
      sessionId?: string;
      apiKeyId?: string;
      /** The API key's name, read with it (its audit entries name it). */
      apiKeyName?: string;
      /** For an API key: the account it acts for (its creator or last rotator, whose current role caps the key). */
      actingUserId?: string;
      roleSlug?: string;
      /** The acting account (the user, or an API key's account) has two-factor authentication on. */
      mfaEnabled?: boolean;
      /**
       * Access rules of this organization the caller has not met yet, by name (see AccessRestrictionRegistry):
       * only `@AllowRestricted()` routes answer until they are met, and sockets are refused.
       */
      restrictions?: readonly string[];
      ip?: string;
      userAgent?: string;
      /** Read with the credential (JWT and API-key requests). */
      read?: CredentialRead;
    },
  ) {}

  /** What this caller may do: their role's permissions here, or an API key's (capped by its creator's role). */
  get permissions(): ReadonlySet<string> {
    return (this.granted ??= this.grants instanceof Set ? this.grants : new Set(this.grants));
  }

  static anonymous(requestId: string, ip?: string, userAgent?: string): RequestContext {
    return new RequestContext(requestId, undefined, undefined, new Set(), { authMethod: 'anonymous', ip, userAgent });
  }

  /** A context for background work on behalf of an organization (jobs, webhooks). */
  static system(requestId: string, organizationId?: string): RequestContext {
    return new RequestContext(requestId, undefined, organizationId, new Set(), { authMethod: 'system' });
  }

  /** The organization this context acts for; fails closed when there is none. */
  requireOrganizationId(): string {
    if (!this.organizationId) throw new MissingTenantError();
    return this.organizationId;
  }

  /**
   * The account acting: the signed-in user, or for an API key the account it acts for. Rules about the caller's
   * own account ("not yourself", "your own MFA") use this, so a key is held to them like the person behind it.
   */
  get actingUserId(): string | undefined {
    return this.userId ?? this.meta.actingUserId;
  }

  /**
   * The acting account's email (the signed-in user's, or an API key's account's), from the credential check's read of
   * the account; undefined for a context built without one (anonymous, system).
   */
  get accountEmail(): string | undefined {
    const profile = this.meta.read?.profileJson;
    if (profile === undefined) return undefined;
    return (this.email ??= (JSON.parse(profile) as { email: string }).email);
  }

  /** The signed-in user; an API key (which acts for its organization) gets a 403 saying a user session is needed. */
  requireUserId(): string {
    if (this.userId) return this.userId;
    if (this.meta.authMethod === 'api_key') {
      throw PlatformError.user_session_required();
    }
    throw PlatformError.unauthorized();
  }

  can(permission: string): boolean {
    return this.permissions.has(permission);
  }

  /**
   * The same caller acting for another organization with the permissions given (often none): what they
   * may do, and their role, in this context's organization say nothing about the other one.
   */
  withOrganization(organizationId: string, permissions: ReadonlySet<string> | readonly string[]): RequestContext {
    const { roleSlug: _role, restrictions: _restrictions, ...caller } = this.meta;
    return new RequestContext(this.requestId, this.userId, organizationId, permissions, caller);
  }

  /** A plain object safe to put in a job payload; rebuild with `fromJSON`. */
  toJSON(): SerializedContext {
    return {
      requestId: this.requestId,
      userId: this.userId,
      organizationId: this.organizationId,
      permissions: [...this.permissions],
      authMethod: this.meta.authMethod,
    };
  }

  static fromJSON(s: SerializedContext): RequestContext {
    return new RequestContext(s.requestId, s.userId, s.organizationId, new Set(s.permissions), { authMethod: s.authMethod });
  }
}

export interface SerializedContext {
  requestId: string;
  userId?: string;
  organizationId?: string;
  permissions: string[];
  authMethod: AuthMethod;
}

/** A tenant-scoped operation ran without an organization: a programming error, never a 404. */
export class MissingTenantError extends Error {
  constructor() {
    super('No organization in the request context for a tenant-scoped operation');
    this.name = 'MissingTenantError';
  }
}

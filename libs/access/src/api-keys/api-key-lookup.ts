import { Injectable } from '@nestjs/common';
import { PreparedQuery, StatementPool } from '@atrium/platform';
import { PROFILE_JSON } from '../credentials/account-profile.js';
import { CredentialQuery } from '../credentials/credential-query.js';

export interface ApiKeyAuthRow {
  profile: string;
  id: string;
  /** The key's name, kept in audit entries of what it does. */
  name: string;
  organization_id: string;
  created_by: string;
  revoked: boolean;
  expired: boolean;
  creator_active: boolean;
  membership_active: boolean | null;
  key_permissions: string[];
  role_permissions: string[] | null;
  mfa_enabled: boolean;
  touch: boolean;
  directory_version: string;
}

/**
 * Everything a request needs to trust an API key, in one query on the unique key-hash index: the key
 * is live, and the account it acts for (`created_by`: its creator, or whoever last rotated it) is still
 * an active member whose current role caps the key's permissions. That account's profile and MFA status
 * come along: `GET /users/me` with a key answers it, and rules about the caller's own MFA apply to it. Two columns:
 * see CredentialQuery.
 */
const API_KEY_SQL = `
  SELECT json_build_object(
           'id', k.id,
           'name', k.name,
           'organization_id', k.organization_id,
           'created_by', k.created_by,
           'revoked', k.revoked_at IS NOT NULL,
           'expired', k.expires_at IS NOT NULL AND k.expires_at <= now(),
           'creator_active', u.status = 'active',
           'membership_active', m.status = 'active',
           'key_permissions', k.permissions,
           'role_permissions', r.permissions,
           'mfa_enabled', um.enabled_at IS NOT NULL,
           'touch', k.last_used_at IS NULL OR k.last_used_at < now() - interval '60 seconds',
           'directory_version', COALESCE(dv.version, 0)::text)::text AS checks,
         ${PROFILE_JSON}
    FROM api_keys k
    JOIN users u ON u.id = k.created_by
    LEFT JOIN memberships m ON m.user_id = k.created_by AND m.organization_id = k.organization_id
    LEFT JOIN roles r ON r.id = m.role_id
    LEFT JOIN organization_directory_versions dv ON dv.organization_id = k.organization_id
    LEFT JOIN user_mfa um ON um.user_id = k.created_by
   WHERE k.key_hash = $1`;

@Injectable()
export class ApiKeyLookup {
  private readonly byHash: CredentialQuery<Omit<ApiKeyAuthRow, 'profile'>>;
  private readonly touchSql: PreparedQuery<never>;

  constructor(statements: StatementPool) {
    this.byHash = new CredentialQuery(statements, 'atrium_api_key_auth', API_KEY_SQL);
    this.touchSql = new PreparedQuery(
      statements,
      'atrium_api_key_touch',
      `UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds')`,
    );
  }

  async find(keyHash: string): Promise<ApiKeyAuthRow | undefined> {
    return this.byHash.find([keyHash]);
  }

  /** Records use at most once a minute per key, off the request's critical path. */
  touch(id: string): void {
    this.touchSql.rows([id]).catch(() => undefined);
  }
}

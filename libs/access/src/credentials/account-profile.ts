/**
 * What the API shows of an account (see UserDto): no password hash, nothing secret. Declared here, beside
 * the credential check that reads it with every request, so access does not depend on the accounts library.
 */
export interface UserProfile {
  id: string;
  email: string;
  /** An address waiting for its verification link; the account still uses `email` until then. */
  pendingEmail: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  avatarUrl: string | null;
  emailVerifiedAt: Date | null;
  status: 'active' | 'suspended';
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The profile of the `users` row aliased `u`, as one JSON text column named `profile`, for hand-written
 * hot queries that read the account anyway (the per-request credential checks): one field for the driver
 * to describe and carry instead of ten, parsed only by the requests that show it (`profileFromJson`).
 */
export const PROFILE_JSON = `json_build_object(
  'id', u.id, 'email', u.email, 'pendingEmail', u.pending_email, 'firstName', u.first_name, 'lastName', u.last_name,
  'phone', u.phone, 'avatarUrl', u.avatar_url, 'emailVerifiedAt', u.email_verified_at, 'status', u.status,
  'createdAt', u.created_at, 'updatedAt', u.updated_at)::text AS profile`;

export function profileFromJson(json: string): UserProfile {
  const p = JSON.parse(json) as Omit<UserProfile, 'emailVerifiedAt' | 'createdAt' | 'updatedAt'> & {
    emailVerifiedAt: string | null;
    createdAt: string;
    updatedAt: string;
  };
  return {
    ...p,
    emailVerifiedAt: p.emailVerifiedAt === null ? null : new Date(p.emailVerifiedAt),
    createdAt: new Date(p.createdAt),
    updatedAt: new Date(p.updatedAt),
  };
}

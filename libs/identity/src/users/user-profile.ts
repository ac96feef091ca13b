import type { User } from './user.entity.js';

/** What the API shows of an account (see UserDto): no password hash, nothing secret. */
export type UserProfile = Pick<
  User,
  'id' | 'email' | 'firstName' | 'lastName' | 'phone' | 'avatarUrl' | 'emailVerifiedAt' | 'status' | 'createdAt' | 'updatedAt'
>;

/**
 * Select-list for a profile of the `users` row aliased `u`, for hand-written hot queries that read the
 * account anyway (the per-request credential checks). Read back with `profileFromRow`.
 */
export const PROFILE_COLUMNS = `u.id AS profile_id, u.email AS profile_email, u.first_name AS profile_first_name,
  u.last_name AS profile_last_name, u.phone AS profile_phone, u.avatar_url AS profile_avatar_url,
  u.email_verified_at AS profile_email_verified_at, u.status AS profile_status,
  u.created_at AS profile_created_at, u.updated_at AS profile_updated_at`;

export interface ProfileColumns {
  profile_id: string;
  profile_email: string;
  profile_first_name: string | null;
  profile_last_name: string | null;
  profile_phone: string | null;
  profile_avatar_url: string | null;
  profile_email_verified_at: Date | null;
  profile_status: User['status'];
  profile_created_at: Date;
  profile_updated_at: Date;
}

export function profileFromRow(row: ProfileColumns): UserProfile {
  return {
    id: row.profile_id,
    email: row.profile_email,
    firstName: row.profile_first_name,
    lastName: row.profile_last_name,
    phone: row.profile_phone,
    avatarUrl: row.profile_avatar_url,
    emailVerifiedAt: row.profile_email_verified_at,
    status: row.profile_status,
    createdAt: row.profile_created_at,
    updatedAt: row.profile_updated_at,
  };
}

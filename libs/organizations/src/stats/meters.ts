/**
 * Usage meters the organization's own figures read, by the package-limit key each is checked against.
 * Members are metered here (memberships) and by invitations (open ones hold a seat); stored bytes by every
 * feature that stores files, when it lands.
 */
export const MEMBERS_METER = 'members';
export const STORAGE_BYTES_METER = 'storage_bytes';

import { defineErrors } from '@atrium/platform';

/** Organizations, settings and roles: each code with its one kind and default message. */
export const OrganizationsError = defineErrors('organizations', {
  slug_reserved: { kind: 'bad_request', message: 'The slug is reserved' },
  slug_taken: { kind: 'conflict', message: 'The slug is already taken' },
  own_mfa_required: {
    kind: 'conflict',
    message: 'Turn on two-factor authentication for your own account before requiring it of members',
  },
  unknown_permissions: { kind: 'bad_request', message: 'Unknown permission(s); see GET /roles/permissions' },
  permission_not_held: { kind: 'forbidden', message: 'You cannot grant permissions you do not hold' },
  role_slug_taken: { kind: 'conflict', message: 'A role with this slug already exists' },
  built_in_role: {
    kind: 'conflict',
    message: 'Built-in roles (owner, admin, manager, member) cannot be changed or deleted; create a custom role',
  },
  role_in_use: { kind: 'conflict', message: 'The role is held by members; reassign them first' },
  role_is_default: { kind: 'conflict', message: 'The role is the organization default_role; choose another default first' },
});

/** Every permission string a role may hold, with what it allows. Unknown strings are rejected. */
export const PERMISSION_CATALOGUE = {
  'organization.view': 'See the organization, its package and statistics',
  'organization.edit': 'Change the organization profile, settings and slug',
  'users.view': 'List and read members of the organization',
  'users.create': 'Create users directly in the organization',
  'users.edit': "Change members' profiles, status and roles",
  'users.revoke': "Revoke a member's access",
  'roles.view': 'List and read roles',
  'roles.manage': 'Create, change and delete roles',
  'invitations.view': 'List pending invitations',
  'invitations.manage': 'Invite people and cancel invitations',
  'api_keys.manage': 'Create, rotate and revoke API keys',
  'billing.view': 'See payments and the current package',
  'billing.manage': 'Buy, upgrade and renew packages and features',
  'audit.view': 'Read the audit trail',
  'audit.export': 'Export the audit trail',
  'documents.view': 'List and download organization documents',
  'documents.manage': 'Upload and delete organization documents',
  'chats.use': 'Take part in chats',
  'chats.manage': "Moderate every chat of the organization: delete chats and others' messages",
  'calls.use': 'Start and join calls',
  'notifications.send': 'Send notifications to members',
  'integrations.view': 'See integrations, their health and webhook logs',
  'integrations.manage': 'Configure integrations, webhook providers and syncs',
} as const;

export type Permission = keyof typeof PERMISSION_CATALOGUE;

export const ALL_PERMISSIONS = Object.keys(PERMISSION_CATALOGUE) as Permission[];

export function isPermission(value: string): value is Permission {
  return Object.prototype.hasOwnProperty.call(PERMISSION_CATALOGUE, value);
}

const except = (...excluded: Permission[]) => ALL_PERMISSIONS.filter((p) => !excluded.includes(p));

/** The roles every organization starts with. */
export const BUILT_IN_ROLES: ReadonlyArray<{ slug: string; name: string; description: string; permissions: Permission[] }> = [
  { slug: 'owner', name: 'Owner', description: 'Full control, including billing', permissions: [...ALL_PERMISSIONS] },
  {
    slug: 'admin',
    name: 'Admin',
    description: 'Manages members, roles and settings',
    permissions: except('billing.manage'),
  },
  {
    slug: 'manager',
    name: 'Manager',
    description: 'Manages members and invitations',
    permissions: [
      'organization.view',
      'users.view',
      'users.edit',
      'roles.view',
      'invitations.view',
      'invitations.manage',
      'billing.view',
      'audit.view',
      'documents.view',
      'documents.manage',
      'chats.use',
      'calls.use',
      'notifications.send',
      'integrations.view',
    ],
  },
  {
    slug: 'member',
    name: 'Member',
    description: 'Uses the product',
    permissions: ['organization.view', 'users.view', 'documents.view', 'chats.use', 'calls.use'],
  },
];

export const OWNER_ROLE = 'owner';
export const DEFAULT_MEMBER_ROLE = 'member';

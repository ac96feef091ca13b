export * from './entities.js';
export * from './invitations/invitation-events.js';
export * from './invitations/invitation.entity.js';
export * from './invitations/invitations.module.js';
export * from './members/users-admin.module.js';
export type { MemberRevokedPayload, MemberRoleChangedPayload } from './members/member-events.js';
export * from './members.notifications.js';
export * from './members.errors.js';

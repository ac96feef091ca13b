export * from './entities.js';
export * from './invitations/invitation.entity.js';
export * from './invitations/invitations.module.js';
export * from './members/users-admin.module.js';
export * from './members.errors.js';

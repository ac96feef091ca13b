export * from './entities.js';
export * from './memberships/membership-directory.js';
export * from './memberships/membership.entity.js';
export * from './organizations.module.js';
export * from './organizations/organization.entity.js';
export * from './provisioning/organization-provisioner.js';
export * from './roles/permissions.js';
export * from './roles/role.entity.js';

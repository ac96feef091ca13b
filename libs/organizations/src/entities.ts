import { Membership } from './memberships/membership.entity.js';
import { Organization } from './organizations/organization.entity.js';
import { Role } from './roles/role.entity.js';

export const ORGANIZATION_ENTITIES = [Organization, Membership, Role];

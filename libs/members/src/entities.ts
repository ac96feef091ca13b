import { Invitation } from './invitations/invitation.entity.js';

export const MEMBER_ENTITIES = [Invitation];

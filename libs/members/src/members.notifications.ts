import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { defineNotificationType, formatUtcMinute, type NotificationType, NotificationTypeRegistry, payloadUser } from '@atrium/platform';
import { INVITATION_ACCEPTED, type InvitationAcceptedPayload } from './invitations/invitation-events.js';
import { MEMBER_REVOKED, MEMBER_ROLE_CHANGED, type MemberRevokedPayload, type MemberRoleChangedPayload } from './members/member-events.js';

/** The inviter, while still an active member here: someone who has left the organization hears nothing of it. */
async function activeInviter(em: EntityManager, organizationId: string | undefined, inviter: string | null): Promise<string[]> {
  if (!inviter || !organizationId) return [];
  const rows: unknown[] = await em.query(`SELECT 1 FROM memberships WHERE organization_id = $1 AND user_id = $2 AND status = 'active'`, [
    organizationId,
    inviter,
  ]);
  return rows.length ? [inviter] : [];
}

const invitationAccepted = defineNotificationType<InvitationAcceptedPayload>({
  key: 'invitation.accepted',
  description: 'Invitations you sent being accepted',
  event: INVITATION_ACCEPTED,
  defaults: { in_app: true, email: true },
  recipients: (event, em) => activeInviter(em, event.organizationId, event.payload.invited_by),
  render: ({ payload: p, createdAt }) => ({
    title: `${p.email} joined ${p.organization_name}`,
    body: `${p.email} accepted your invitation and joined ${p.organization_name} as ${p.role_name} on ${formatUtcMinute(createdAt)}.`,
    link: `/members/${p.user_id}`,
    data: { invitation_id: p.invitation_id, user_id: p.user_id },
  }),
});

const roleChanged = defineNotificationType<MemberRoleChangedPayload>({
  key: 'member.role_changed',
  description: 'Changes to your role',
  event: MEMBER_ROLE_CHANGED,
  defaults: { in_app: true, email: true },
  recipients: payloadUser,
  render: ({ payload: p, createdAt }) => ({
    title: `Your role in ${p.organization_name} is now ${p.role_name}`,
    body:
      `Your role in ${p.organization_name} was changed from ${p.previous_role_name} to ${p.role_name} on ` +
      `${formatUtcMinute(createdAt)}. What you can see and do there follows the new role from now on.`,
    link: `/members/${p.user_id}`,
    data: { organization_id: p.organization_id, role: p.role },
  }),
});

const revoked = defineNotificationType<MemberRevokedPayload>({
  key: 'member.revoked',
  description: 'Removal from an organization',
  event: MEMBER_REVOKED,
  // In-app would wait in an organization the member can no longer open.
  defaults: { in_app: false, email: true },
  recipients: payloadUser,
  render: ({ payload: p, createdAt }) => ({
    title: `Your access to ${p.organization_name} was removed`,
    body:
      `An administrator removed you from ${p.organization_name} on ${formatUtcMinute(createdAt)}` +
      `${p.reason ? ` (reason given: ${p.reason})` : ''}. You were signed out of it. Your account and your other ` +
      `organizations are not affected.\n\nIf you think this is a mistake, ask an administrator of ${p.organization_name} ` +
      `to invite you again.`,
    link: '/organizations',
    data: { organization_id: p.organization_id },
  }),
});

/** Every notification type the members library's events produce. */
export const MEMBERS_NOTIFICATION_TYPES: NotificationType[] = [invitationAccepted, roleChanged, revoked];

/** Registers the members library's notification types: invitations accepted, roles changed, access removed. */
@Injectable()
export class MembersNotifications implements OnModuleInit {
  constructor(private readonly registry: NotificationTypeRegistry) {}

  onModuleInit(): void {
    this.registry.register(...MEMBERS_NOTIFICATION_TYPES);
  }
}

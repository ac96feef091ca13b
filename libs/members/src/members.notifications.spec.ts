import { describe, expect, it } from 'vitest';
import type { EntityManager } from 'typeorm';
import { outboxEvent, registeredTypes } from '../../../test/support/notification-types.js';
import { MembersNotifications } from './members.notifications.js';

const { registry, type, recipients } = registeredTypes(MembersNotifications);
const event = (name: string, payload: object) => outboxEvent(name, payload, { organizationId: 'org-1', actorId: 'admin-1' });
/** A transaction in which `activeMembers` are the organization's active members. */
const withMembers = (...activeMembers: string[]) =>
  ({
    query: async (_sql: string, [, userId]: string[]) => (activeMembers.includes(userId) ? [{ '?column?': 1 }] : []),
  }) as unknown as EntityManager;

const accepted = (invitedBy: string | null) =>
  event('invitation.accepted', {
    invitation_id: 'inv-1',
    user_id: 'new-1',
    email: 'jane@example.test',
    organization_id: 'org-1',
    organization_name: 'Joinery Ltd',
    role_name: 'Manager',
    invited_by: invitedBy,
  });
const roleChanged = event('member.role_changed', {
  user_id: 'member-1',
  organization_id: 'org-1',
  organization_name: 'Rolling Co',
  role: 'admin',
  role_name: 'Admin',
  previous_role_name: 'Member',
});
const revoked = (reason: string | null) =>
  event('member.revoked', { user_id: 'member-1', organization_id: 'org-1', organization_name: 'Leaving Ltd', reason });

describe('the members notification types', () => {
  it('are accepted by the registry, each produced by its event', () => {
    expect(registry.all().map((t) => [t.key, t.event])).toEqual([
      ['invitation.accepted', 'invitation.accepted'],
      ['member.revoked', 'member.revoked'],
      ['member.role_changed', 'member.role_changed'],
    ]);
  });

  it('tell the inviter while still a member, and the member whose role changed or who was removed (by email only)', async () => {
    expect(await recipients('invitation.accepted', accepted('admin-1'), withMembers('admin-1'))).toEqual(['admin-1']);
    expect(await recipients('invitation.accepted', accepted('admin-1'), withMembers())).toEqual([]);
    expect(await recipients('invitation.accepted', accepted(null), withMembers('admin-1'))).toEqual([]);
    expect(await recipients('member.role_changed', roleChanged, withMembers())).toEqual(['member-1']);
    expect(await recipients('member.revoked', revoked(null), withMembers())).toEqual(['member-1']);
    expect(type('member.role_changed').defaults).toEqual({ in_app: true, email: true });
    expect(type('member.revoked').defaults).toEqual({ in_app: false, email: true });
  });

  it.each([
    [
      'invitation.accepted',
      accepted('admin-1'),
      ['jane@example.test', 'Joinery Ltd', 'as Manager', '29 Nov 2026, 08:16 UTC'],
      '/members/new-1',
    ],
    ['member.role_changed', roleChanged, ['Rolling Co', 'from Member to Admin', '29 Nov 2026, 08:16 UTC'], '/members/member-1'],
    [
      'member.revoked',
      revoked('Contract ended'),
      ['Leaving Ltd', 'Contract ended', 'other organizations are not affected'],
      '/organizations',
    ],
    ['member.revoked', revoked(null), ['Leaving Ltd', '29 Nov 2026, 08:16 UTC'], '/organizations'],
  ])('%s names who, where and what changed', (key, e, facts, link) => {
    const content = type(key).render(e, 'anyone');
    for (const fact of facts) expect(`${content.title}\n${content.body}`).toContain(fact);
    expect(content.link).toBe(link);
    expect(content.body).not.toContain('null');
  });
});

import { defineErrors } from '@atrium/platform';

/** An organization's people: administration of members and invitations. */
export const MembersError = defineErrors('members', {
  last_owner: { kind: 'conflict', message: 'The organization must keep an active owner: make someone else owner first' },
  account_shared: {
    kind: 'conflict',
    message:
      'This account also belongs to another organization, so only its owner can change its name, email or status; ' +
      'you can change their role here or revoke their access',
  },
  member_revoked: { kind: 'conflict', message: "This member's access was revoked; invite them again" },
  membership_already_revoked: { kind: 'conflict', message: "This member's access is already revoked" },
  cannot_revoke_self: { kind: 'conflict', message: 'You cannot revoke your own access' },
  cannot_suspend_self: { kind: 'conflict', message: 'You cannot suspend your own account' },
  already_member: { kind: 'conflict', message: 'Already a member of this organization' },
  invitation_not_found: { kind: 'not_found', message: 'The invitation link is invalid' },
  invitation_conflict: { kind: 'conflict', message: 'This address is being invited right now; try again' },
  invitation_used: { kind: 'conflict', message: 'The invitation was already accepted' },
  invitation_expired: { kind: 'conflict', message: 'The invitation has expired; ask for a new one' },
  email_not_verified: {
    kind: 'forbidden',
    message: 'Verify your email address first (the link mailed to it, or POST /auth/resend-verification), then accept the invitation',
  },
  email_held_unverified: {
    kind: 'conflict',
    message:
      'An account that has not verified this email address uses it, so the invitation cannot be accepted until that account verifies it',
  },
  sign_in_to_accept: {
    kind: 'unauthorized',
    message: 'An account with this email exists: sign in as it, then accept the invitation again',
  },
  invitation_for_another_account: {
    kind: 'forbidden',
    message: 'The invitation was sent to another email address than the account you are signed in with',
  },
});

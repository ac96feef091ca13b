export const INVITATION_ACCEPTED = 'invitation.accepted';

/** `invitation.accepted`: pushed to the organization; `invited_by` is null when an API key sent the invitation. */
export interface InvitationAcceptedPayload {
  invitation_id: string;
  user_id: string;
  email: string;
  organization_id: string;
  organization_name: string;
  role_name: string;
  invited_by: string | null;
}

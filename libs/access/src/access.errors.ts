import { defineErrors } from '@atrium/platform';

/**
 * How a caller proves who they are. The 401s are verdicts on a credential presented with the request; the
 * 409s and 400s are about managing credentials (keys, MFA) while signed in, so they carry codes of their own.
 */
export const AccessError = defineErrors('access', {
  invalid_token: { kind: 'unauthorized', message: 'Invalid access token' },
  token_expired: { kind: 'unauthorized', message: 'Access token expired' },
  invalid_refresh_token: { kind: 'unauthorized', message: 'Refresh token is invalid, expired or revoked' },
  refresh_token_reused: { kind: 'unauthorized', message: 'Refresh token was already used; the session has been revoked' },
  session_revoked: { kind: 'unauthorized', message: 'The session has ended; sign in again' },
  account_suspended: { kind: 'unauthorized', message: 'The account is suspended' },
  membership_revoked: { kind: 'unauthorized', message: 'You are no longer a member of this organization' },
  invalid_api_key: { kind: 'unauthorized', message: 'Invalid API key' },
  api_key_revoked: { kind: 'unauthorized', message: 'The API key has been revoked' },
  api_key_expired: { kind: 'unauthorized', message: 'The API key has expired' },
  api_key_wrong_organization: { kind: 'unauthorized', message: 'The API key belongs to another organization' },
  api_key_creator_inactive: { kind: 'unauthorized', message: 'The API key stopped working: its creator no longer has access' },
  api_key_already_revoked: { kind: 'conflict', message: 'A revoked key cannot be rotated; create a new one' },
  api_key_already_expired: { kind: 'conflict', message: 'An expired key cannot be rotated; create a new one' },
  not_an_api_key: { kind: 'bad_request', message: 'This request was not made with an API key' },
  // A code at sign-in is a credential (401, counted by the sign-in limiter); confirming an action is a form field (400).
  invalid_mfa_code: { kind: 'unauthorized', message: 'Invalid authentication code' },
  mfa_code_reused: { kind: 'unauthorized', message: 'This code was already used; wait for the next one' },
  wrong_mfa_code: { kind: 'bad_request', message: 'Invalid authentication code' },
  mfa_code_already_used: { kind: 'bad_request', message: 'This code was already used; wait for the next one' },
  too_many_mfa_attempts: { kind: 'too_many_requests', message: 'Too many wrong codes; try again later' },
  mfa_not_enabled: { kind: 'conflict', message: 'Two-factor authentication is not enabled' },
  mfa_enrollment_required: {
    kind: 'forbidden',
    message:
      'This organization requires two-factor authentication: turn it on (POST /mfa/setup/initialize, then /mfa/setup/verify) to continue',
  },
  mfa_already_enabled: { kind: 'conflict', message: 'Two-factor authentication is already on' },
  mfa_setup_not_started: { kind: 'conflict', message: 'Start the setup first (POST /mfa/setup/initialize)' },
});

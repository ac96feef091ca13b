import { defineErrors } from '@atrium/platform';

/** A person's account: sign-in, mailed links, email and password changes. */
export const AccountsError = defineErrors('accounts', {
  invalid_credentials: { kind: 'unauthorized', message: 'Invalid email or password' },
  no_active_membership: { kind: 'forbidden', message: 'This account does not belong to any active organization' },
  no_session: { kind: 'bad_request', message: 'Only a signed-in session can do this' },
  // Mailed links (verification, reset, magic link) are form input, never a credential of the request: always 400.
  invalid_link: { kind: 'bad_request', message: 'The link is invalid' },
  link_expired: { kind: 'bad_request', message: 'The link has expired; ask for a new one' },
  link_used: { kind: 'bad_request', message: 'The link was already used; ask for a new one' },
  email_taken: { kind: 'conflict', message: 'An account with this email already exists' },
  email_already_verified: { kind: 'conflict', message: 'Your email address is already verified' },
  current_password_required: { kind: 'bad_request', message: 'current_password is required' },
  wrong_password: { kind: 'bad_request', message: 'current_password is incorrect' },
  password_unchanged: { kind: 'bad_request', message: 'new_password must differ from the current password' },
  weak_password: { kind: 'bad_request', message: 'The password is too weak' },
});

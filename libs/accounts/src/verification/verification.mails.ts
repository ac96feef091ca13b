import { escapeHtml } from '@atrium/platform';
import type { MailMessage } from '@atrium/platform';

/** A mail with one call-to-action link; every link is built from PUBLIC_URL, never from a request. */
function linkMail(to: string, subject: string, lead: string, action: string, link: string, footer: string): MailMessage {
  return {
    to,
    subject,
    text: `${lead}\n\n${action}: ${link}\n\n${footer}\n\n— Atrium`,
    html: `<p>${escapeHtml(lead)}</p><p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p><p>${escapeHtml(footer)}</p><p>— Atrium</p>`,
    links: [link],
  };
}

export function verifyEmailMail(to: string, publicUrl: string, token: string): MailMessage {
  return linkMail(
    to,
    'Verify your email address',
    `Please confirm that ${to} is your email address.`,
    'Verify email',
    `${publicUrl}/api/v1/auth/verify-email?token=${token}`,
    'The link works once and expires in 24 hours. If you did not ask for it, ignore this mail.',
  );
}

export function passwordResetMail(to: string, publicUrl: string, token: string): MailMessage {
  return linkMail(
    to,
    'Reset your password',
    'Someone asked to reset the password of your Atrium account.',
    'Choose a new password',
    `${publicUrl}/reset-password?token=${token}`,
    'The link works once and expires in 30 minutes. Resetting signs you out everywhere. If you did not ask for it, ignore this mail.',
  );
}

/** To the current address when a change to another one is asked for: no link, the change waits for the new address's. */
export function emailChangeNoticeMail(to: string, newEmail: string): MailMessage {
  const lead = `Someone (you, or an administrator of your organization) asked to change the email address of your Atrium account to ${newEmail}.`;
  const rest =
    'Nothing changes until the link mailed to that address is used; until then you keep signing in with this one. ' +
    'If you did not ask for this, change your password and tell your administrator.';
  return {
    to,
    subject: 'Your Atrium email address is changing',
    text: `${lead}\n\n${rest}\n\n— Atrium`,
    html: `<p>${escapeHtml(lead)}</p><p>${escapeHtml(rest)}</p><p>— Atrium</p>`,
  };
}

import { escapeHtml, type MailMessage } from '@atrium/platform';
import type { User } from '../users/user.entity.js';

export function welcomeMail(user: User, organizationName: string, publicUrl: string): MailMessage {
  const name = user.firstName ?? user.email;
  const link = `${publicUrl}/`;
  return {
    to: user.email,
    subject: `Welcome to Atrium, ${name}`,
    text: `Hello ${name},\n\nYour organization "${organizationName}" is ready. Sign in at ${link}\n\n— Atrium`,
    html: `<p>Hello ${escapeHtml(name)},</p><p>Your organization <strong>${escapeHtml(organizationName)}</strong> is ready. <a href="${link}">Sign in</a>.</p><p>— Atrium</p>`,
    links: [link],
  };
}

/**
 * To the holder of an email someone tried to register an organization with: registration answers such an attempt
 * as it answers a new account (it cannot tell who is asking), so the holder hears of it here.
 */
export function registrationAttemptMail(to: string, organizationName: string, publicUrl: string): MailMessage {
  const link = `${publicUrl}/`;
  const text =
    `Someone tried to create the organization "${organizationName}" on Atrium with ${to}, which already has an account. ` +
    'If it was you, sign in (or reset your password) and create the organization from your account. If it was not you, ' +
    'nothing was created and you can ignore this mail.';
  return {
    to,
    subject: 'Your email address is already registered with Atrium',
    text: `${text}\n\nSign in: ${link}\n\n— Atrium`,
    html: `<p>${escapeHtml(text)}</p><p><a href="${link}">Sign in</a></p><p>— Atrium</p>`,
    links: [link],
  };
}

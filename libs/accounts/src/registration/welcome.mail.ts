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

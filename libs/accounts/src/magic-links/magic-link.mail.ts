import { escapeHtml } from '@atrium/platform';
import type { MailMessage } from '@atrium/platform';

export function magicLinkMail(to: string, publicUrl: string, token: string): MailMessage {
  const link = `${publicUrl}/magic-link?token=${token}`;
  return {
    to,
    subject: 'Your Atrium sign-in link',
    text: `Sign in to Atrium: ${link}\n\nThe link works once and expires in 10 minutes. If you did not ask for it, ignore this mail.\n\n— Atrium`,
    html: `<p><a href="${escapeHtml(link)}">Sign in to Atrium</a></p><p>The link works once and expires in 10 minutes. If you did not ask for it, ignore this mail.</p><p>— Atrium</p>`,
    links: [link],
  };
}

import { escapeHtml } from '@atrium/platform';
import type { MailMessage } from '@atrium/platform';

/** The invitation mail; the link carries the token, which is stored only hashed. */
export function invitationMail(input: {
  to: string;
  organizationName: string;
  roleName: string;
  inviterName: string | null;
  publicUrl: string;
  token: string;
  expiresAt: Date;
}): MailMessage {
  const link = `${input.publicUrl}/invitations/accept?token=${input.token}`;
  const by = input.inviterName ? `${input.inviterName} invited you` : 'You have been invited';
  const until = input.expiresAt.toUTCString();
  return {
    to: input.to,
    subject: `Join ${input.organizationName} on Atrium`,
    text:
      `${by} to join "${input.organizationName}" on Atrium as ${input.roleName}.\n\n` +
      `Accept the invitation: ${link}\n\nThe link works once and until ${until}.\n\n— Atrium`,
    html:
      `<p>${escapeHtml(by)} to join <strong>${escapeHtml(input.organizationName)}</strong> on Atrium as ${escapeHtml(input.roleName)}.</p>` +
      `<p><a href="${link}">Accept the invitation</a></p><p>The link works once and until ${escapeHtml(until)}.</p><p>— Atrium</p>`,
    links: [link],
  };
}

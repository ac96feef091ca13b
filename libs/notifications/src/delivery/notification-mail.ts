import { Injectable } from '@nestjs/common';
import { escapeHtml, type MailMessage, type NotificationContent, type NotificationType } from '@atrium/platform';
import { NotificationsConfig } from '../notifications.config.js';
import { UnsubscribeLinks } from '../preferences/unsubscribe-links.js';

/** Who a notification mail goes to. */
export interface MailRecipient {
  id: string;
  email: string;
  first_name: string | null;
}

/**
 * Renders a notification into its mail: the content, then a footer saying why it came and how to turn it off. Mail of
 * a type users may turn off carries a one-click unsubscribe (RFC 8058 headers and the same link in the footer).
 */
@Injectable()
export class NotificationMail {
  constructor(
    private readonly config: NotificationsConfig,
    private readonly unsubscribe: UnsubscribeLinks,
  ) {}

  /** `organizationId`: the organization the notification is stored in, whose settings the unsubscribe link changes. */
  compose(to: MailRecipient, type: NotificationType, content: NotificationContent, organizationId: string): MailMessage {
    const settings = `${this.config.publicUrl}/settings/notifications`;
    const open = content.link ? `${this.config.publicUrl}${content.link}` : undefined;
    const unsubscribe = type.required ? undefined : this.unsubscribe.url(organizationId, to.id, type.key);
    const why = type.required
      ? 'You get this security notice for every change to your account; it cannot be turned off.'
      : `You get this because "${type.description}" notifications are on for you. Change them at ${settings}`;
    const stop = unsubscribe ? `Stop these emails: ${unsubscribe}` : '';
    const hello = `Hello${to.first_name ? ` ${to.first_name}` : ''},`;
    return {
      to: to.email,
      subject: content.title,
      text: `${hello}\n\n${content.body}\n${open ? `\nOpen: ${open}\n` : ''}\n— Atrium\n\n${why}${stop ? `\n${stop}` : ''}`,
      html:
        `<p>${escapeHtml(hello)}</p>${content.html ?? paragraphs(content.body)}` +
        (open ? `<p><a href="${escapeHtml(open)}">Open in Atrium</a></p>` : '') +
        `<p>— Atrium</p><hr><p style="color:#666;font-size:12px">${escapeHtml(why)}` +
        (unsubscribe ? `<br><a href="${escapeHtml(unsubscribe)}">Unsubscribe from these emails</a>` : '') +
        `</p>`,
      links: [...(open ? [open] : []), ...(unsubscribe ? [unsubscribe] : [])],
      ...(unsubscribe
        ? { headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } }
        : {}),
    };
  }
}

const paragraphs = (text: string) =>
  text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');

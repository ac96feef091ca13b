import { Injectable, type OnModuleInit } from '@nestjs/common';
import { defineNotificationType, formatUtcMinute, type NotificationType, NotificationTypeRegistry, payloadUser } from '@atrium/platform';
import { PASSWORD_CHANGED, type PasswordChangedPayload } from './passwords/password-changed.js';

const passwordChanged = defineNotificationType<PasswordChangedPayload>({
  key: 'security.password_changed',
  description: 'Password changes and resets',
  event: PASSWORD_CHANGED,
  defaults: { in_app: true, email: true },
  required: true,
  accountWide: true,
  recipients: payloadUser,
  render: ({ payload: p, createdAt }) => {
    const at = formatUtcMinute(createdAt);
    const what =
      p.via === 'reset'
        ? `Your password was reset with a link mailed to you on ${at}, and every session of your account was signed out.`
        : `Your password was changed on ${at}, and every other session of your account was signed out.`;
    return {
      title: p.via === 'reset' ? 'Your password was reset' : 'Your password was changed',
      body:
        `${what}\n\nIf this was you, there is nothing to do. If it was not, reset your password now with ` +
        `"Forgot password" on the sign-in page, then review your sessions and two-factor authentication under Security settings.`,
      link: '/settings/security',
      data: { via: p.via },
    };
  },
});

/** Every notification type the accounts library's events produce. */
export const ACCOUNTS_NOTIFICATION_TYPES: NotificationType[] = [passwordChanged];

/** Registers the accounts library's notification types. */
@Injectable()
export class AccountsNotifications implements OnModuleInit {
  constructor(private readonly registry: NotificationTypeRegistry) {}

  onModuleInit(): void {
    this.registry.register(...ACCOUNTS_NOTIFICATION_TYPES);
  }
}

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { defineNotificationType, formatUtcMinute, type NotificationType, NotificationTypeRegistry, payloadUser } from '@atrium/platform';
import { API_KEY_CREATED, type ApiKeyCreatedPayload } from './api-keys/api-key-events.js';
import { NEW_SIGN_IN, type NewSignInPayload } from './sessions/known-sign-ins.js';

const SECURITY_SETTINGS = '/settings/security';
const IF_NOT_YOU = 'If it was not you, change your password now and sign out your other sessions (Security settings, Sessions).';

const newSignIn = defineNotificationType<NewSignInPayload>({
  key: 'security.new_sign_in',
  description: 'Sign-ins from a new device or address',
  event: NEW_SIGN_IN,
  defaults: { in_app: true, email: true },
  required: true,
  accountWide: true,
  recipients: payloadUser,
  render: ({ payload: p, createdAt }) => ({
    title: `New sign-in from ${p.device}`,
    body:
      `Your account was signed in from ${p.device} at ${p.ip ?? 'an unknown address'} on ${formatUtcMinute(createdAt)}. ` +
      `It is the first sign-in from this device or address.\n\nIf this was you, there is nothing to do. ${IF_NOT_YOU}`,
    link: SECURITY_SETTINGS,
    data: { session_id: p.session_id, ip: p.ip, device: p.device },
  }),
});

const mfaDisabled = defineNotificationType<{ user_id: string }>({
  key: 'security.mfa_disabled',
  description: 'Two-factor authentication turned off',
  event: 'mfa.disabled',
  defaults: { in_app: true, email: true },
  required: true,
  accountWide: true,
  recipients: payloadUser,
  render: ({ createdAt }) => ({
    title: 'Two-factor authentication was turned off',
    body:
      `Two-factor authentication was turned off for your account on ${formatUtcMinute(createdAt)}: signing in now needs ` +
      `only your password.\n\n${IF_NOT_YOU} Then turn two-factor authentication back on.`,
    link: SECURITY_SETTINGS,
  }),
});

const apiKeyCreated = defineNotificationType<ApiKeyCreatedPayload>({
  key: 'security.api_key_created',
  description: 'API keys created in the organization',
  event: API_KEY_CREATED,
  defaults: { in_app: true, email: true },
  // The creator is told too: a key made with a stolen session should reach its owner.
  recipients: { permission: 'api_keys.manage', exceptActor: false },
  render: ({ payload: p, createdAt }, userId) => {
    const yours = userId === p.created_by;
    return {
      title: `New API key: ${p.name}`,
      body:
        `${yours ? 'You created' : 'A member of your organization created'} the API key "${p.name}" on ` +
        `${formatUtcMinute(createdAt)}. It can act for the organization with ${yours ? 'your' : 'its creator’s'} permissions ` +
        `until it is revoked.\n\nIf nobody expected this key, revoke it on the API keys page` +
        `${yours ? ', then change your password' : ''}.`,
      link: '/settings/api-keys',
      data: { api_key_id: p.api_key_id, created_by: p.created_by },
    };
  },
});

/** Every notification type the access library's events produce. */
export const ACCESS_NOTIFICATION_TYPES: NotificationType[] = [newSignIn, mfaDisabled, apiKeyCreated];

/** Registers the access library's notification types: sign-ins, MFA and API keys. */
@Injectable()
export class AccessNotifications implements OnModuleInit {
  constructor(private readonly registry: NotificationTypeRegistry) {}

  onModuleInit(): void {
    this.registry.register(...ACCESS_NOTIFICATION_TYPES);
  }
}

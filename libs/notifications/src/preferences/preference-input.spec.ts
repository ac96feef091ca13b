import { describe, expect, it } from 'vitest';
import { DomainError, type NotificationType } from '@atrium/platform';
import { readChannelSettings } from './preference-input.js';

const type = (key: string, extra: Partial<NotificationType> = {}): NotificationType => ({
  key,
  description: key,
  event: key,
  defaults: { in_app: true, email: true },
  recipients: () => [],
  render: () => ({ title: key, body: key }),
  ...extra,
});

const TYPES = new Map([
  ['chat.mentioned', type('chat.mentioned')],
  ['billing.renewal_upcoming', type('billing.renewal_upcoming', { defaults: { in_app: true, email: false } })],
  ['security.password_changed', type('security.password_changed', { required: true })],
  ['security.new_sign_in', type('security.new_sign_in', { required: true, defaults: { in_app: true, email: false } })],
]);
const typeOf = (key: string) => TYPES.get(key);
const member = (body: unknown) => readChannelSettings(body, typeOf, { quietHours: true });
const organization = (body: unknown) => readChannelSettings(body, typeOf, { quietHours: false });

/** The error a body is refused with. */
function refusal(read: () => unknown): DomainError {
  try {
    read();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('accepted');
}
const fields = (err: DomainError) => (err.details as Array<{ field: string }>).map((d) => d.field);

describe('readChannelSettings', () => {
  it('reads a full body, canonicalising the time zone and leaving out channels not given', () => {
    expect(
      member({
        email_enabled: false,
        in_app_enabled: true,
        preferences: { 'chat.mentioned': { email: false }, 'billing.renewal_upcoming': { email: true, in_app: false } },
        quiet_hours: { start: '22:00', end: '07:00', timezone: 'europe/berlin' },
      }),
    ).toEqual({
      email_enabled: false,
      in_app_enabled: true,
      preferences: { 'chat.mentioned': { email: false }, 'billing.renewal_upcoming': { email: true, in_app: false } },
      quiet_hours: { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' },
    });
  });

  it('takes left-out preferences and quiet hours as none', () => {
    expect(member({ email_enabled: true, in_app_enabled: true })).toEqual({
      email_enabled: true,
      in_app_enabled: true,
      preferences: {},
      quiet_hours: null,
    });
    expect(member({ email_enabled: true, in_app_enabled: true, quiet_hours: null }).quiet_hours).toBeNull();
  });

  it('accepts a security type on its defaults and does not store it', () => {
    const read = member({
      email_enabled: true,
      in_app_enabled: true,
      preferences: { 'security.password_changed': { email: true, in_app: true }, 'security.new_sign_in': { email: false } },
    });
    expect(read.preferences).toEqual({});
  });

  it('names every malformed field in one validation_failed', () => {
    const err = refusal(() =>
      member({
        email_enabled: 'yes',
        in_app_enabled: null,
        theme: 'dark',
        preferences: {
          'chat.mentioned': { email: 'no', sms: true },
          'billing.renewal_upcoming': true,
          'chat.unknown': { email: false },
          'security.password_changed': { email: false },
        },
        quiet_hours: { start: '24:00', end: '7:00', timezone: 'Mars/Olympus', days: 'weekdays' },
      }),
    );
    expect(err.code).toBe('validation_failed');
    expect(fields(err).sort()).toEqual(
      [
        'theme',
        'email_enabled',
        'in_app_enabled',
        'preferences.chat.mentioned.email',
        'preferences.chat.mentioned.sms',
        'preferences.billing.renewal_upcoming',
        'preferences.chat.unknown',
        'preferences.security.password_changed.email',
        'quiet_hours.days',
        'quiet_hours.start',
        'quiet_hours.end',
        'quiet_hours.timezone',
      ].sort(),
    );
    expect(err.message).toContain('sms is not a channel (channels: in_app, email)');
    expect(err.message).toContain('chat.unknown is not a notification type');
    expect(err.message).toContain('security.password_changed is a security notification and cannot be turned off');
  });

  it.each([
    ['a body that is not an object', ['on']],
    ['preferences that are not an object', { email_enabled: true, in_app_enabled: true, preferences: ['chat.mentioned'] }],
    ['quiet hours that are not an object', { email_enabled: true, in_app_enabled: true, quiet_hours: '22:00-07:00' }],
    [
      'quiet hours that start and end alike',
      { email_enabled: true, in_app_enabled: true, quiet_hours: { start: '08:00', end: '08:00', timezone: 'UTC' } },
    ],
    ['quiet hours without a time zone', { email_enabled: true, in_app_enabled: true, quiet_hours: { start: '08:00', end: '09:00' } }],
    [
      'a time with seconds',
      { email_enabled: true, in_app_enabled: true, quiet_hours: { start: '08:00:00', end: '09:00', timezone: 'UTC' } },
    ],
    [
      'a security type turned on where it is off',
      { email_enabled: true, in_app_enabled: true, preferences: { 'security.new_sign_in': { email: true } } },
    ],
  ])('refuses %s (validation_failed)', (_, body) => {
    expect(refusal(() => member(body)).code).toBe('validation_failed');
  });

  it('answers unknown_notification_types when unknown types are the worst, naming each', () => {
    const err = refusal(() =>
      member({
        email_enabled: true,
        in_app_enabled: true,
        preferences: { 'chat.unknown': { email: false }, 'nope.nothing': {}, 'security.password_changed': { in_app: false } },
      }),
    );
    expect(err.code).toBe('unknown_notification_types');
    expect(fields(err)).toEqual(['preferences.chat.unknown', 'preferences.nope.nothing', 'preferences.security.password_changed.in_app']);
  });

  it('answers notification_required when a security type turned off is the only problem, naming each', () => {
    const err = refusal(() =>
      member({
        email_enabled: false,
        in_app_enabled: false,
        preferences: { 'security.password_changed': { email: false, in_app: false }, 'security.new_sign_in': { in_app: false } },
      }),
    );
    expect(err.code).toBe('notification_required');
    expect(fields(err)).toEqual([
      'preferences.security.password_changed.email',
      'preferences.security.password_changed.in_app',
      'preferences.security.new_sign_in.in_app',
    ]);
  });

  it('reads organization defaults without quiet hours, and refuses them there', () => {
    expect(organization({ email_enabled: true, in_app_enabled: false, preferences: { 'chat.mentioned': { email: false } } })).toEqual({
      email_enabled: true,
      in_app_enabled: false,
      preferences: { 'chat.mentioned': { email: false } },
    });
    const err = refusal(() =>
      organization({ email_enabled: true, in_app_enabled: true, quiet_hours: { start: '22:00', end: '07:00', timezone: 'UTC' } }),
    );
    expect(err.code).toBe('validation_failed');
    expect(fields(err)).toEqual(['quiet_hours']);
  });
});

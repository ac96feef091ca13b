import { describe, expect, it } from 'vitest';
import { outboxEvent, registeredTypes } from '../../../test/support/notification-types.js';
import { AccessNotifications } from './access.notifications.js';

const { registry, type, recipients } = registeredTypes(AccessNotifications);
const event = (name: string, payload: object) =>
  outboxEvent(name, payload, { organizationId: name === 'api_key.created' ? 'org-1' : undefined, actorId: 'user-1' });

const signIn = event('session.new_sign_in', { user_id: 'user-1', session_id: 's-9', ip: '203.0.113.41', device: 'Firefox on Windows' });
const apiKey = event('api_key.created', { api_key_id: 'k-1', name: 'CRM sync', created_by: 'user-1' });

describe('the access notification types', () => {
  it('are accepted by the registry, each produced by its event', () => {
    expect(registry.all().map((t) => t.key)).toEqual(['security.api_key_created', 'security.mfa_disabled', 'security.new_sign_in']);
    expect(registry.producedBy('session.new_sign_in').map((t) => t.key)).toEqual(['security.new_sign_in']);
    expect(registry.producedBy('mfa.disabled').map((t) => t.key)).toEqual(['security.mfa_disabled']);
    expect(registry.producedBy('api_key.created').map((t) => t.key)).toEqual(['security.api_key_created']);
  });

  it('make the account alerts required, account-wide and on in both channels; API keys go to those who manage them', async () => {
    for (const key of ['security.new_sign_in', 'security.mfa_disabled']) {
      expect(type(key)).toMatchObject({ required: true, accountWide: true, defaults: { in_app: true, email: true } });
    }
    expect(await recipients('security.new_sign_in', signIn)).toEqual(['user-1']);
    expect(await recipients('security.mfa_disabled', event('mfa.disabled', { user_id: 'user-1' }))).toEqual(['user-1']);
    expect(await recipients('security.api_key_created', apiKey)).toEqual({ permission: 'api_keys.manage', exceptActor: false });
    expect(type('security.api_key_created').defaults).toEqual({ in_app: true, email: true });
    expect(type('security.api_key_created').required).toBeFalsy();
  });

  it.each([
    [
      'security.new_sign_in',
      signIn,
      'user-1',
      ['Firefox on Windows', '203.0.113.41', '29 Nov 2026, 08:16 UTC', 'change your password', 'sign out your other sessions'],
    ],
    [
      'security.new_sign_in',
      event('session.new_sign_in', { user_id: 'u', session_id: 's', ip: null, device: 'curl' }),
      'u',
      ['curl', 'an unknown address'],
    ],
    [
      'security.mfa_disabled',
      event('mfa.disabled', { user_id: 'user-1' }),
      'user-1',
      ['turned off', '29 Nov 2026, 08:16 UTC', 'change your password'],
    ],
    ['security.api_key_created', apiKey, 'user-1', ['You created the API key "CRM sync"', '29 Nov 2026, 08:16 UTC', 'revoke it']],
    ['security.api_key_created', apiKey, 'admin-2', ['A member of your organization created the API key "CRM sync"', 'revoke it']],
  ])('%s says what happened and what to do (for %#)', (key, e, userId, facts) => {
    const content = type(key).render(e, userId);
    expect(content.title.length).toBeGreaterThan(0);
    for (const fact of facts) expect(`${content.title}\n${content.body}`).toContain(fact);
  });

  it('link to the screens that act on them and carry the ids', () => {
    expect(type('security.new_sign_in').render(signIn, 'user-1')).toMatchObject({
      title: 'New sign-in from Firefox on Windows',
      link: '/settings/security',
      data: { session_id: 's-9', ip: '203.0.113.41', device: 'Firefox on Windows' },
    });
    expect(type('security.api_key_created').render(apiKey, 'user-1')).toMatchObject({
      link: '/settings/api-keys',
      data: { api_key_id: 'k-1', created_by: 'user-1' },
    });
  });
});

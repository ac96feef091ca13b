import { describe, expect, it } from 'vitest';
import { outboxEvent, registeredTypes } from '../../../test/support/notification-types.js';
import { AccountsNotifications } from './accounts.notifications.js';

const { registry, type, recipients } = registeredTypes(AccountsNotifications);
const passwordChanged = type('security.password_changed');
const event = (via: 'change' | 'reset') => outboxEvent('account.password_changed', { user_id: 'user-1', via }, { actorId: 'user-1' });

describe('the accounts notification types', () => {
  it('registers security.password_changed for account.password_changed: required, account-wide, to the user', async () => {
    expect(registry.producedBy('account.password_changed').map((t) => t.key)).toEqual(['security.password_changed']);
    expect(passwordChanged).toMatchObject({ required: true, accountWide: true, defaults: { in_app: true, email: true } });
    expect(await recipients('security.password_changed', event('change'))).toEqual(['user-1']);
  });

  it.each([
    ['change', 'Your password was changed', ['changed on 29 Nov 2026, 08:16 UTC', 'every other session', 'Forgot password']],
    ['reset', 'Your password was reset', ['reset with a link mailed to you on 29 Nov 2026, 08:16 UTC', 'every session', 'Forgot password']],
  ] as const)('says when the password was %sd and what to do if it was not the user', (via, title, facts) => {
    const content = passwordChanged.render(event(via), 'user-1');
    expect(content).toMatchObject({ title, link: '/settings/security', data: { via } });
    for (const fact of facts) expect(content.body).toContain(fact);
  });
});

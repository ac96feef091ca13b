import { describe, expect, it } from 'vitest';
import { outboxEvent, registeredTypes } from '../../../test/support/notification-types.js';
import { IntegrationsNotifications } from './integrations.notifications.js';

const { registry, type, recipients } = registeredTypes(IntegrationsNotifications);
const dead = outboxEvent(
  'webhook_event.dead',
  {
    webhook_event_id: 'e-1',
    provider_id: 'p-1',
    provider_name: 'payment-service',
    event_type: 'invoice.paid',
    external_id: 'inv_123',
    attempts: 6,
    last_error: 'Invalid payload: amount is required',
  },
  { organizationId: 'org-1' },
);

describe('the integrations notification types', () => {
  it('tell the members who manage integrations, in both channels, when an event is dead', async () => {
    expect(registry.producedBy('webhook_event.dead').map((t) => t.key)).toEqual(['integration.event_dead']);
    expect(await recipients('integration.event_dead', dead)).toEqual({ permission: 'integrations.manage', exceptActor: false });
    expect(type('integration.event_dead').defaults).toEqual({ in_app: true, email: true });
  });

  it('name the provider, the event, its attempts and last error, and link the event', () => {
    const content = type('integration.event_dead').render(dead, 'user-1');
    expect(content.title).toBe('Webhook event from payment-service failed for good');
    for (const part of ['invoice.paid', 'inv_123', '6 times', 'Invalid payload: amount is required', 'replay']) {
      expect(content.body).toContain(part);
    }
    expect(content).toMatchObject({ link: '/integrations/webhook-events/e-1', data: { webhook_event_id: 'e-1', attempts: 6 } });
  });
});

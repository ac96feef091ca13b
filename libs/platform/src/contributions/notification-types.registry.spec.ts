import { describe, expect, it } from 'vitest';
import { type NotificationType, NotificationTypeRegistry } from './notification-types.registry.js';

const type = (key: string, event: string, cancelledBy?: string): NotificationType => ({
  key,
  description: key,
  event,
  defaults: { in_app: true, email: false },
  recipients: () => [],
  render: () => ({ title: key, body: key }),
  ...(cancelledBy
    ? { digest: { group: () => 'g', cancelledBy: { event: cancelledBy, match: () => null }, render: () => ({ title: key, body: key }) } }
    : {}),
});

describe('NotificationTypeRegistry', () => {
  it('answers the types an event produces and the digests it cancels, whenever they were registered', () => {
    const registry = new NotificationTypeRegistry();
    registry.register(type('chat.missed', 'message.created', 'chat:read'), type('chat.mentioned', 'message.created'));
    expect(registry.producedBy('message.created').map((t) => t.key)).toEqual(['chat.mentioned', 'chat.missed']);
    expect(registry.cancelledBy('chat:read').map((t) => t.key)).toEqual(['chat.missed']);
    expect(registry.producedBy('chat:read')).toEqual([]);
    expect(registry.cancelledBy('message.created')).toEqual([]);

    // A type registered later (another feature's onModuleInit) is found too.
    registry.register(type('call.missed', 'call.ended'), type('audit.created', 'message.created'));
    expect(registry.producedBy('message.created').map((t) => t.key)).toEqual(['audit.created', 'chat.mentioned', 'chat.missed']);
    expect(registry.producedBy('call.ended').map((t) => t.key)).toEqual(['call.missed']);
    expect(registry.all().map((t) => t.key)).toEqual(['audit.created', 'call.missed', 'chat.mentioned', 'chat.missed']);
  });

  it('refuses a key twice, or one not shaped <area>.<what>, and keeps what it had', () => {
    const registry = new NotificationTypeRegistry();
    registry.register(type('chat.mentioned', 'message.created'));
    expect(() => registry.register(type('chat.mentioned', 'other.event'))).toThrow(/already registered/);
    expect(() => registry.register(type('Chat mentioned', 'other.event'))).toThrow(/<area>.<what>/);
    expect(() => registry.register(type(`chat.${'x'.repeat(60)}`, 'other.event'))).toThrow(/longer than 64/);
    expect(registry.producedBy('other.event')).toEqual([]);
    expect(registry.producedBy('message.created').map((t) => t.key)).toEqual(['chat.mentioned']);
  });
});

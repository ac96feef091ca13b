import { randomBytes } from 'node:crypto';
import { defineNotificationType, type NotificationType, NotificationTypeRegistry, Outbox, type OutboxEventInput } from '@atrium/platform';
import { dataSource } from './members.js';
import type { TestApp } from './test-app.js';

/** `{ user_ids }`: the payload of the test types' events. */
export interface PingPayload {
  user_ids: string[];
  text: string;
}

/**
 * Registers a notification type of the test's own on the running app (its event name unique to the test), so specs
 * prove the mechanism without depending on which features have registered theirs. Answers the type.
 */
export function registerTestType(t: TestApp, patch: Partial<NotificationType<PingPayload>> = {}): NotificationType {
  const name = `test.ping_${randomBytes(4).toString('hex')}`;
  const type = defineNotificationType<PingPayload>({
    key: name,
    description: 'Test pings',
    event: name,
    defaults: { in_app: true, email: true },
    recipients: (event) => event.payload.user_ids,
    render: (event) => ({
      title: `Ping: ${event.payload.text}`,
      body: `You were pinged: ${event.payload.text}`,
      link: '/pings',
      data: { text: event.payload.text },
    }),
    ...patch,
  });
  t.app.get(NotificationTypeRegistry).register(type);
  return type;
}

/** Commits the event a test type is produced by, as a feature would with its change; answers the event id. */
export async function publish(
  t: TestApp,
  type: NotificationType,
  event: Partial<OutboxEventInput<PingPayload>> & { payload: PingPayload },
): Promise<string> {
  return dataSource(t).transaction(async (em) => t.app.get(Outbox).add(em, { name: type.event, ...event }));
}

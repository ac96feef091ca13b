import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
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

/** A `notification:new` as a client receives it. */
export interface NotificationPush {
  notification: { id: string; type: string; title: string; body: string; email_status: string | null; data: Record<string, any> } & Record<
    string,
    any
  >;
  unread_count: number;
}

/** Every `notification:new` a socket receives from now on, and a wait for the first one matching. */
export function notificationPushes(socket: Socket): {
  all: NotificationPush[];
  next(match: (n: NotificationPush['notification']) => boolean, what: string, ms?: number): Promise<NotificationPush>;
} {
  const all: NotificationPush[] = [];
  socket.on('notification:new', (p: NotificationPush) => all.push(p));
  return {
    all,
    async next(match, what, ms = 15_000) {
      for (const deadline = Date.now() + ms; ;) {
        const found = all.find((p) => match(p.notification));
        if (found) return found;
        if (Date.now() > deadline) {
          throw new Error(`no notification:new ${what} within ${ms} ms (got ${all.map((p) => p.notification.type).join(', ')})`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

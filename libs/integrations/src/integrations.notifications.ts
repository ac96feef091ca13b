import { Injectable, type OnModuleInit } from '@nestjs/common';
import { defineNotificationType, formatUtcMinute, type NotificationType, NotificationTypeRegistry } from '@atrium/platform';
import { type WebhookEventDeadPayload } from './processing/webhook-event-processing.js';
import { WEBHOOK_EVENT_DEAD } from './processing/webhook-event-queue.js';

const eventDead = defineNotificationType<WebhookEventDeadPayload>({
  key: 'integration.event_dead',
  description: 'Webhook events that failed every retry (dead)',
  event: WEBHOOK_EVENT_DEAD,
  defaults: { in_app: true, email: true },
  recipients: { permission: 'integrations.manage', exceptActor: false },
  render: ({ payload: p, createdAt }) => ({
    title: `Webhook event from ${p.provider_name} failed for good`,
    body:
      `The ${p.event_type ?? 'untyped'} event ${p.external_id} from ${p.provider_name} failed ${p.attempts} times and will not be ` +
      `retried (${formatUtcMinute(createdAt)}). Last error: ${p.last_error}\n\nFix the cause, then retry it or replay its window ` +
      `from the webhook event log.`,
    link: `/integrations/webhook-events/${p.webhook_event_id}`,
    data: { webhook_event_id: p.webhook_event_id, provider_id: p.provider_id, event_type: p.event_type, attempts: p.attempts },
  }),
});

/** Every notification type the integrations library's events produce. */
export const INTEGRATIONS_NOTIFICATION_TYPES: NotificationType[] = [eventDead];

/** Registers the integrations library's notification types. */
@Injectable()
export class IntegrationsNotifications implements OnModuleInit {
  constructor(private readonly registry: NotificationTypeRegistry) {}

  onModuleInit(): void {
    this.registry.register(...INTEGRATIONS_NOTIFICATION_TYPES);
  }
}

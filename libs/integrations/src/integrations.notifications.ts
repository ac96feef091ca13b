import { Injectable, type OnModuleInit } from '@nestjs/common';
import { defineNotificationType, formatUtcMinute, type NotificationType, NotificationTypeRegistry } from '@atrium/platform';
import { INTEGRATION_DOWN, INTEGRATION_RECOVERED, type IntegrationHealthTransition } from './health/health-events.js';
import { type WebhookEventDeadPayload } from './processing/webhook-event-processing.js';
import { WEBHOOK_EVENT_DEAD } from './processing/webhook-event-queue.js';

const INTEGRATIONS_HEALTH_PAGE = '/integrations/health';

const integrationDown = defineNotificationType<IntegrationHealthTransition>({
  key: 'integration.down',
  description: 'A partner service stopped answering its health check',
  event: INTEGRATION_DOWN,
  defaults: { in_app: true, email: true },
  recipients: { permission: 'integrations.manage' },
  render: ({ payload: p, createdAt }) => ({
    title: `${p.provider_name} is down`,
    body:
      `The health check of ${p.provider_name} failed ${p.consecutive_failures} times in a row (last: ${p.error ?? 'no answer'}), ` +
      `so it is marked down since ${formatUtcMinute(createdAt)}. Its webhooks are still received and stored; data syncs ` +
      `from it will fail until it answers again.\n\nYou will be told when it recovers.`,
    link: INTEGRATIONS_HEALTH_PAGE,
    data: { provider_id: p.provider_id, provider_name: p.provider_name, error: p.error },
  }),
});

const integrationRecovered = defineNotificationType<IntegrationHealthTransition>({
  key: 'integration.recovered',
  description: 'A partner service that was down answers its health check again',
  event: INTEGRATION_RECOVERED,
  defaults: { in_app: true, email: true },
  recipients: { permission: 'integrations.manage' },
  render: ({ payload: p, createdAt }) => ({
    title: `${p.provider_name} has recovered`,
    body: `${p.provider_name} answered its health check again on ${formatUtcMinute(createdAt)} and is no longer marked down.`,
    link: INTEGRATIONS_HEALTH_PAGE,
    data: { provider_id: p.provider_id, provider_name: p.provider_name },
  }),
});

/** Every notification type the integrations library's health events produce. */
export const INTEGRATION_HEALTH_NOTIFICATION_TYPES: NotificationType[] = [integrationDown, integrationRecovered];

/** Registers the integration health notification types: told to the organization's integration admins. */
@Injectable()
export class IntegrationHealthNotifications implements OnModuleInit {
  constructor(private readonly registry: NotificationTypeRegistry) {}

  onModuleInit(): void {
    this.registry.register(...INTEGRATION_HEALTH_NOTIFICATION_TYPES);
  }
}

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

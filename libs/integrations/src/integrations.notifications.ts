import { Injectable, type OnModuleInit } from '@nestjs/common';
import { defineNotificationType, formatUtcMinute, type NotificationType, NotificationTypeRegistry } from '@atrium/platform';
import { INTEGRATION_DOWN, INTEGRATION_RECOVERED, type IntegrationHealthTransition } from './health/health-events.js';

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

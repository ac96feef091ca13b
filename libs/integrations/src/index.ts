export * from './integrations.module.js';
export * from './integrations.errors.js';
export * from './integrations.config.js';
export * from './processing/webhook-handlers.js';
export * from './processing/webhook-event-queue.js';
export * from './processing/webhook-event-processing.js';
export * from './retention/webhook-event-retention.js';
export * from './integrations.notifications.js';
export * from './providers/webhook-provider.entity.js';
export * from './providers/provider.service.js';
export * from './receiving/webhook-receiver.service.js';
export * from './signatures/signature-scheme.js';
export * from './signatures/schemes.js';
export * from './health/health-events.js';
export * from './health/health-monitor.js';
export * from './integrations.notifications.js';
export * from './sync/sync-queue.js';
export * from './outbound/address-policy.js';

import { WebhookProvider } from './providers/webhook-provider.entity.js';

/** The library's entities, for the DataSource. */
export const INTEGRATION_ENTITIES = [WebhookProvider];

import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { AppConfig, queueConnection, rawBodyParser } from '@atrium/platform';
import { WebhookEventActions } from './events/webhook-event-actions.js';
import { WebhookEventReader } from './events/webhook-event-reader.js';
import { WebhookEventsController } from './events/webhook-events.controller.js';
import { ExternalUserHandlers } from './external-users/external-user-handlers.js';
import { ExternalUserReader } from './external-users/external-user-reader.js';
import { ExternalUsersController } from './external-users/external-users.controller.js';
import { HealthProbeProcessor, HealthProbeScheduler, INTEGRATION_HEALTH_QUEUE } from './health/health-jobs.js';
import { HealthMonitor } from './health/health-monitor.js';
import { IntegrationHealthController } from './health/integration-health.controller.js';
import { IntegrationHealthReader } from './health/integration-health-reader.js';
import { IntegrationsConfig, loadIntegrationsConfig } from './integrations.config.js';
import { IntegrationHealthNotifications, IntegrationsNotifications } from './integrations.notifications.js';
import { IntegrationsProcessor } from './processing/integrations.processor.js';
import { WebhookEventProcessing } from './processing/webhook-event-processing.js';
import { WebhookEventPump } from './processing/webhook-event-pump.js';
import { INTEGRATIONS_QUEUE, WebhookEventScheduler } from './processing/webhook-event-queue.js';
import { ProviderSecrets } from './providers/provider-secrets.js';
import { ProviderService } from './providers/provider.service.js';
import { ProvidersController } from './providers/providers.controller.js';
import { ProviderCache } from './receiving/provider-cache.js';
import { WEBHOOK_BODY_LIMIT, WebhookReceiver } from './receiving/webhook-receiver.service.js';
import { WebhookReceiverController } from './receiving/webhook-receiver.controller.js';
import { WebhookEventRetention, WebhookEventRetentionScheduler } from './retention/webhook-event-retention.js';
import { INTEGRATION_SYNC_QUEUE, SyncRunScheduler, SyncSweepScheduler } from './sync/sync-queue.js';
import { SyncController } from './sync/sync.controller.js';
import { SyncProcessor } from './sync/sync.processor.js';
import { SyncRunner } from './sync/sync-runner.js';
import { SyncService } from './sync/sync.service.js';

/**
 * Integrations: webhook providers with sealed secrets, the signed receiving path (stored and deduplicated before the
 * answer; the stored row is the processing queue's entry), processing by registered handlers (the kernel's
 * WebhookHandlerRegistry) with retries and dead events, the event log with retry/replay, the external-user mapping, and
 * retention. Processing (the pump of first attempts, the queue's worker) runs only where `workers` is true, as do the retention job, the scheduled health probe (INTEGRATION_HEALTH_INTERVAL_SECONDS)
 * and the data sync runs with their sweep of stalled runs. Import after BillingModule: its `POST /webhooks/test/stripe`
 * must be routed first.
 */
@Module({})
export class IntegrationsModule implements NestModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: IntegrationsModule,
      imports: [
        BullModule.registerQueueAsync({
          name: INTEGRATIONS_QUEUE,
          // On PostgreSQL the queue and its worker may get a pool of their own size (WEBHOOK_QUEUE_POOL_SIZE).
          useFactory: (app: AppConfig) => {
            const size = loadIntegrationsConfig(app).queuePoolSize;
            return size && !app.redisUrl ? { connection: { ...queueConnection(app), max: size } } : {};
          },
          inject: [AppConfig],
        }),
        BullModule.registerQueue({ name: INTEGRATION_HEALTH_QUEUE }, { name: INTEGRATION_SYNC_QUEUE }),
        AuditModule,
      ],
      controllers: [
        ProvidersController,
        WebhookEventsController,
        ExternalUsersController,
        WebhookReceiverController,
        IntegrationHealthController,
        SyncController,
      ],
      providers: [
        { provide: IntegrationsConfig, useFactory: (app: AppConfig) => loadIntegrationsConfig(app), inject: [AppConfig] },
        ProviderSecrets,
        ProviderService,
        ProviderCache,
        WebhookReceiver,
        WebhookEventReader,
        WebhookEventProcessing,
        WebhookEventScheduler,
        WebhookEventActions,
        WebhookEventRetention,
        ExternalUserHandlers,
        ExternalUserReader,
        IntegrationsNotifications,
        ...(opts.workers ? [WebhookEventPump, IntegrationsProcessor, WebhookEventRetentionScheduler] : []),
        HealthMonitor,
        IntegrationHealthReader,
        IntegrationHealthNotifications,
        SyncService,
        SyncRunner,
        SyncRunScheduler,
        ...(opts.workers ? [HealthProbeScheduler, HealthProbeProcessor, SyncSweepScheduler, SyncProcessor] : []),
      ],
      exports: [IntegrationsConfig, WebhookEventRetention],
    };
  }

  /** Webhook bodies of any content type are read as bytes (JSON and form bodies already are, by the app's parsers). */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(rawBodyParser(`${WEBHOOK_BODY_LIMIT}b`)).forRoutes(WebhookReceiverController);
  }
}

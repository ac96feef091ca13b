import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { AppConfig, rawBodyParser } from '@atrium/platform';
import { WebhookEventReader } from './events/webhook-event-reader.js';
import { WebhookEventsController } from './events/webhook-events.controller.js';
import { HealthProbeProcessor, HealthProbeScheduler, INTEGRATION_HEALTH_QUEUE } from './health/health-jobs.js';
import { HealthMonitor } from './health/health-monitor.js';
import { IntegrationHealthController } from './health/integration-health.controller.js';
import { IntegrationHealthReader } from './health/integration-health-reader.js';
import { IntegrationsConfig, loadIntegrationsConfig } from './integrations.config.js';
import { IntegrationHealthNotifications } from './integrations.notifications.js';
import { IntegrationsProcessor } from './processing/integrations.processor.js';
import { WebhookEventProcessing } from './processing/webhook-event-processing.js';
import { INTEGRATIONS_QUEUE, WebhookEventScheduler } from './processing/webhook-event-queue.js';
import { WebhookHandlerRegistry } from './processing/webhook-handlers.js';
import { ProviderSecrets } from './providers/provider-secrets.js';
import { ProviderService } from './providers/provider.service.js';
import { ProvidersController } from './providers/providers.controller.js';
import { WEBHOOK_BODY_LIMIT, WebhookReceiver } from './receiving/webhook-receiver.service.js';
import { WebhookReceiverController } from './receiving/webhook-receiver.controller.js';
import { INTEGRATION_SYNC_QUEUE, SyncRunScheduler, SyncSweepScheduler } from './sync/sync-queue.js';
import { SyncController } from './sync/sync.controller.js';
import { SyncProcessor } from './sync/sync.processor.js';
import { SyncRunner } from './sync/sync-runner.js';
import { SyncService } from './sync/sync.service.js';

/**
 * Integrations: webhook providers with sealed secrets, the signed receiving path (stored and deduplicated before the
 * answer, queued through the outbox), processing by registered handlers, and the event log. The queue's worker runs
 * only where `workers` is true, as do the scheduled health probe (INTEGRATION_HEALTH_INTERVAL_SECONDS) and the data
 * sync runs with their sweep of stalled runs. Import after BillingModule: its `POST /webhooks/test/stripe` must be routed first.
 */
@Module({})
export class IntegrationsModule implements NestModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: IntegrationsModule,
      imports: [
        BullModule.registerQueue({ name: INTEGRATIONS_QUEUE }, { name: INTEGRATION_HEALTH_QUEUE }, { name: INTEGRATION_SYNC_QUEUE }),
        AuditModule,
      ],
      controllers: [ProvidersController, WebhookEventsController, WebhookReceiverController, IntegrationHealthController, SyncController],
      providers: [
        { provide: IntegrationsConfig, useFactory: (app: AppConfig) => loadIntegrationsConfig(app), inject: [AppConfig] },
        ProviderSecrets,
        ProviderService,
        WebhookReceiver,
        WebhookEventReader,
        WebhookHandlerRegistry,
        WebhookEventProcessing,
        WebhookEventScheduler,
        ...(opts.workers ? [IntegrationsProcessor] : []),
        HealthMonitor,
        IntegrationHealthReader,
        IntegrationHealthNotifications,
        SyncService,
        SyncRunner,
        SyncRunScheduler,
        ...(opts.workers ? [HealthProbeScheduler, HealthProbeProcessor, SyncSweepScheduler, SyncProcessor] : []),
      ],
      exports: [WebhookHandlerRegistry],
    };
  }

  /** Webhook bodies of any content type are read as bytes (JSON and form bodies already are, by the app's parsers). */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(rawBodyParser(`${WEBHOOK_BODY_LIMIT}b`)).forRoutes(WebhookReceiverController);
  }
}

import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { AppConfig } from '@atrium/platform';
import { NotificationMail } from './delivery/notification-mail.js';
import { NotificationProducer } from './delivery/notification-producer.js';
import { NotificationStore } from './delivery/notification-store.js';
import { DigestScheduler } from './digests/digest-scheduler.js';
import { DigestSender } from './digests/digest-sender.js';
import { DigestSweeper } from './digests/digest-sweeper.js';
import { NotificationDigests } from './digests/notification-digests.js';
import { NotificationExportSection } from './notification-export.js';
import { NotificationReader } from './notification-reader.js';
import { NotificationRetention } from './notification-retention.js';
import { NotificationJobsScheduler, NOTIFICATIONS_QUEUE, NotificationsProcessor } from './notifications-queue.js';
import { NotificationService } from './notification.service.js';
import { loadNotificationsConfig, NotificationsConfig } from './notifications.config.js';
import { NotificationsController } from './notifications.controller.js';
import { OrganizationDefaultsService } from './preferences/organization-defaults.service.js';
import { PreferenceService } from './preferences/preference.service.js';
import { PreferenceStore } from './preferences/preference-store.js';
import { PreferencesController } from './preferences/preferences.controller.js';
import { UnsubscribeController } from './preferences/unsubscribe.controller.js';
import { UnsubscribeLinks } from './preferences/unsubscribe-links.js';
import { UnsubscribeService } from './preferences/unsubscribe.service.js';

/**
 * Notifications: every registered type's events become in-app notifications (pushed as `notification:new`) and mail,
 * per recipient and preferences; the list, counts, read state and preferences over REST. The queue's workers (digests,
 * retention, the digest sweep) run only where `workers` is true.
 */
@Module({})
export class NotificationsModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: NotificationsModule,
      imports: [BullModule.registerQueue({ name: NOTIFICATIONS_QUEUE }), AuditModule],
      // Before NotificationsController: its `GET /notifications/:id` would take `preferences` and the others.
      controllers: [PreferencesController, UnsubscribeController, NotificationsController],
      providers: [
        { provide: NotificationsConfig, useFactory: (app: AppConfig) => loadNotificationsConfig(app), inject: [AppConfig] },
        PreferenceStore,
        PreferenceService,
        OrganizationDefaultsService,
        UnsubscribeLinks,
        UnsubscribeService,
        NotificationMail,
        NotificationStore,
        NotificationDigests,
        NotificationProducer,
        DigestScheduler,
        DigestSender,
        DigestSweeper,
        NotificationReader,
        NotificationService,
        NotificationExportSection,
        NotificationRetention,
        ...(opts.workers ? [NotificationJobsScheduler, NotificationsProcessor] : []),
      ],
    };
  }
}

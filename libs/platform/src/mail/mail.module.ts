import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { MailDeliveryReports } from './mail-delivery-reports.js';
import { MAIL_QUEUE } from './mail-message.js';
import { MailProcessor } from './mail.processor.js';
import { MailService } from './mail.service.js';
import { MailTransport } from './mail-transport.js';

/** Mail through the queue, and providers' delivery reports (webhooks); the worker side is registered only where workers run. */
@Module({})
export class MailModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: MailModule,
      global: true,
      imports: [BullModule.registerQueue({ name: MAIL_QUEUE })],
      providers: [MailService, MailDeliveryReports, ...(opts.workers ? [MailTransport, MailProcessor] : [])],
      exports: [MailService],
    };
  }
}
